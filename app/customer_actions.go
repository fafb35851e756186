package app

import (
	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/lang"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"
)

// The customer header shows the everyday actions (note, follow-up,
// gesture) as buttons and the rarer ones behind "More": eight buttons did
// not fit beside the list in German even at 1440 px, and an action past
// the window's edge is an action nobody finds.

// buildMore makes the "More" button and the menu items it shows.
func (s *customerScreen) buildMore() {
	s.callItem = fyne.NewMenuItem(lang.X("customer.action.call", "Call"), s.onCall)
	s.callItem.Icon = theme.MediaPlayIcon()
	s.mailItem = fyne.NewMenuItem(lang.X("customer.action.mail", "Mail"), s.onMail)
	s.mailItem.Icon = theme.MailComposeIcon()
	s.exportItem = fyne.NewMenuItem(lang.X("customer.action.export", "Export data"), s.onSubjectExport)
	s.exportItem.Icon = theme.DocumentSaveIcon()
	s.printItem = fyne.NewMenuItem(lang.X("charts.print.button", "Print"), s.onPrint)
	s.printItem.Icon = theme.DocumentPrintIcon()
	s.delItem = fyne.NewMenuItem(lang.X("customer.action.delete", "Delete"), s.onDelete)
	s.delItem.Icon = theme.DeleteIcon()
	s.eraseItem = s.newEraseItem()
	s.moreBtn = widget.NewButtonWithIcon(lang.X("list.action.more", "More"), theme.MoreHorizontalIcon(), s.onMore)
}

// moreItems returns the items of the "More" menu, in order. Further
// actions belong here, before the separator that sets the
// destructive ones apart.
func (s *customerScreen) moreItems() []*fyne.MenuItem {
	items := []*fyne.MenuItem{s.printItem, s.callItem, s.mailItem, s.exportItem, fyne.NewMenuItemSeparator(), s.delItem}
	if s.eraseItem != nil {
		items = append(items, s.eraseItem)
	}
	return items
}

// onMore opens the menu under the "More" button.
func (s *customerScreen) onMore() {
	c := s.e.win.Canvas()
	m := fyne.NewMenu("", s.moreItems()...)
	pos := fyne.NewPos(0, s.moreBtn.Size().Height)
	widget.ShowPopUpMenuAtRelativePosition(m, c, pos, s.moreBtn)
}
