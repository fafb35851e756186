package app

import (
	"bufio"
	"errors"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"syscall"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/dialog"
	"fyne.io/fyne/v2/lang"
	"fyne.io/fyne/v2/storage"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"

	"github.com/kundenkartei/kundenkartei/sync/transfer"
)

// Preference keys of the file dialogs (device-local UI state, kept in
// Fyne's preferences, not in the database).
const (
	prefSaveDir      = "care2.dir.save"
	prefImportDir    = "care2.dir.import"
	prefExportFormat = "care2.export.format"
)

// Why not the OS's own dialogs: github.com/sqweek/dialog needs cgo and the
// GTK 3 development files on Linux and runs GTK outside its main loop
// while GLFW owns the main thread (sqweek/dialog#51: GTK3 segfaults);
// Fyne 2.7 uses the portal's native dialog only in Flatpak builds. So
// saving asks for a full path in a field (typed, pasted, or completed by
// a large folder picker), starting in the folder used last or Documents.

// savePath is the "save as" field of a dialog: a full path, a button that
// picks the folder, and a line that says what is wrong with the path.
type savePath struct {
	e       *env
	entry   *escEntry
	browse  *widget.Button
	problem *widget.Label
}

// newSavePath proposes fileName in the folder used last (or Documents).
func newSavePath(e *env, fileName string) *savePath {
	p := &savePath{e: e, entry: newEscEntry(false), problem: newErrorLabel()}
	p.entry.SetText(filepath.Join(lastDir(e, prefSaveDir), fileName))
	p.browse = widget.NewButtonWithIcon(lang.X("care2.save.browse", "Folder …"), theme.FolderOpenIcon(), p.onBrowse)
	return p
}

// widget is the field with its button and message line.
func (p *savePath) widget() fyne.CanvasObject {
	return container.NewVBox(container.NewBorder(nil, nil, nil, p.browse, p.entry), p.problem)
}

// setFileName replaces the file name, keeping the folder typed.
func (p *savePath) setFileName(name string) {
	p.entry.SetText(filepath.Join(filepath.Dir(p.path()), name))
}

// path is the typed path made absolute: "~" is the home folder, a bare
// name goes into the folder used last.
func (p *savePath) path() string {
	s := strings.TrimSpace(p.entry.Text)
	if s == "~" || strings.HasPrefix(s, "~/") || strings.HasPrefix(s, `~\`) {
		if home, err := os.UserHomeDir(); err == nil {
			s = filepath.Join(home, s[1:])
		}
	}
	if s != "" && !filepath.IsAbs(s) {
		s = filepath.Join(lastDir(p.e, prefSaveDir), s)
	}
	return s
}

// check says in words what keeps the path from being written, and
// remembers its folder when nothing does. Writing is tried with a probe
// file, so a read-only folder is found before the export runs.
func (p *savePath) check() (string, bool) {
	path := p.path()
	msg := savePathProblem(path)
	if msg != "" {
		p.problem.SetText(msg)
		p.problem.Show()
		p.e.win.Canvas().Focus(p.entry)
		return "", false
	}
	p.problem.Hide()
	rememberDir(p.e, prefSaveDir, filepath.Dir(path))
	return path, true
}

// savePathProblem is the translated reason path cannot be saved to, "" if
// it can.
func savePathProblem(path string) string {
	data := map[string]any{"Path": path, "Folder": filepath.Dir(path)}
	if path == "" {
		return lang.X("care2.save.empty", "Please enter where to save the file.")
	}
	if st, err := os.Stat(path); err == nil && st.IsDir() {
		return lang.X("care2.save.isdir", "“{{.Path}}” is a folder. Add a file name.", data)
	}
	st, err := os.Stat(filepath.Dir(path))
	if err != nil || !st.IsDir() {
		return lang.X("care2.save.nodir", "The folder “{{.Folder}}” does not exist. Choose one with “Folder …”.", data)
	}
	probe, err := os.CreateTemp(filepath.Dir(path), ".kundenkartei-*")
	if err != nil {
		return lang.X("care2.save.readonly", "Kundenkartei may not write into “{{.Folder}}”. Please choose another folder, e.g. Documents.", data)
	}
	name := probe.Name()
	if err := probe.Close(); err != nil {
		fyne.LogError("closing probe file", err)
	}
	if err := os.Remove(name); err != nil {
		fyne.LogError("removing probe file", err)
	}
	return ""
}

// onBrowse picks the folder in Fyne's folder dialog, made large and
// started in the folder of the path typed.
func (p *savePath) onBrowse() {
	d := dialog.NewFolderOpen(func(u fyne.ListableURI, err error) {
		if err != nil {
			p.e.showError(err)
			return
		}
		if u != nil {
			p.entry.SetText(filepath.Join(u.Path(), filepath.Base(p.path())))
		}
	}, p.e.win)
	d.SetTitleText(lang.X("care2.save.browse.title", "Choose the folder"))
	d.SetConfirmText(lang.X("care2.save.browse.confirm", "Use this folder"))
	if u, err := storage.ListerForURI(storage.NewFileURI(filepath.Dir(p.path()))); err == nil {
		d.SetLocation(u)
	}
	largeDialog(p.e.win, d)
	d.Show()
}

// confirmOverwrite asks before replacing an existing file, then runs save.
func confirmOverwrite(e *env, path string, save func()) {
	if _, err := os.Stat(path); err != nil {
		save()
		return
	}
	d := dialog.NewConfirm(lang.X("care2.save.exists.title", "Replace file?"),
		lang.X("care2.save.exists", "“{{.File}}” already exists in “{{.Folder}}”. Replace it?",
			map[string]any{"File": filepath.Base(path), "Folder": filepath.Dir(path)}),
		func(ok bool) {
			if ok {
				save()
			}
		}, e.win)
	d.SetConfirmText(lang.X("care2.save.exists.replace", "Replace"))
	d.SetDismissText(lang.X("note.cancel", "Cancel"))
	d.Show()
}

// showSaveError says why a file could not be written when the system
// refused (no permission, the folder vanished, a read-only disk); other
// errors go to showError.
func showSaveError(e *env, path string, err error) {
	if errors.Is(err, fs.ErrPermission) || errors.Is(err, fs.ErrNotExist) || isReadOnly(err) {
		fyne.LogError("saving "+path, err)
		dialog.ShowInformation(lang.X("care2.save.failed.title", "Not saved"),
			lang.X("care2.save.failed", "“{{.Path}}” could not be written: the folder does not exist or may not be written to. Please choose another one, e.g. Documents.",
				map[string]any{"Path": path}), e.win)
		return
	}
	e.showError(err)
}

// largeDialog sizes a file dialog to most of the window: Fyne's default
// shows a handful of files and makes finding a folder a chore.
func largeDialog(win fyne.Window, d *dialog.FileDialog) {
	sz := win.Canvas().Size()
	d.Resize(fyne.NewSize(sz.Width*0.9, sz.Height*0.9))
}

// lastDir is the folder used last for key, or Documents, or home.
func lastDir(e *env, key string) string {
	if e.prefs != nil {
		if d := e.prefs.String(key); d != "" {
			if st, err := os.Stat(d); err == nil && st.IsDir() {
				return d
			}
		}
	}
	return documentsDir()
}

// documentsDir is the user's Documents folder (on Linux the XDG one, which
// is "Dokumente" under a German desktop), else the home folder.
func documentsDir() string {
	home, err := os.UserHomeDir()
	if err != nil {
		if wd, err := os.Getwd(); err == nil {
			return wd
		}
		return "."
	}
	candidates := []string{filepath.Join(home, "Documents")}
	if runtime.GOOS == "linux" {
		candidates = append([]string{xdgDocuments(home)}, append(candidates, filepath.Join(home, "Dokumente"))...)
	}
	for _, d := range candidates {
		if st, err := os.Stat(d); d != "" && err == nil && st.IsDir() {
			return d
		}
	}
	return home
}

// xdgDocuments reads XDG_DOCUMENTS_DIR from ~/.config/user-dirs.dirs.
func xdgDocuments(home string) string {
	f, err := os.Open(filepath.Join(home, ".config", "user-dirs.dirs"))
	if err != nil {
		return ""
	}
	defer f.Close()
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		v, ok := strings.CutPrefix(strings.TrimSpace(sc.Text()), "XDG_DOCUMENTS_DIR=")
		if !ok {
			continue
		}
		v = strings.Trim(v, `"`)
		return strings.Replace(v, "$HOME", home, 1)
	}
	return ""
}

// isReadOnly reports a write refused by a read-only file system.
func isReadOnly(err error) bool { return errors.Is(err, syscall.EROFS) }

// saveDialog asks for the path of one file to save.
type saveDialog struct {
	path *savePath
	save *widget.Button
	dlg  *dialog.CustomDialog
}

// showSaveDialog asks where to save fileName; onSave runs on the UI
// thread with a path that can be written (an existing file replaced only
// after asking).
func showSaveDialog(e *env, title, fileName string, onSave func(path string)) *saveDialog {
	d := &saveDialog{path: newSavePath(e, fileName)}
	d.save = widget.NewButtonWithIcon(lang.X("care2.save.save", "Save"), theme.DocumentSaveIcon(), func() {
		if path, ok := d.path.check(); ok {
			confirmOverwrite(e, path, func() {
				d.dlg.Hide()
				onSave(path)
			})
		}
	})
	d.save.Importance = widget.HighImportance
	cancel := widget.NewButton(lang.X("note.cancel", "Cancel"), func() { d.dlg.Hide() })
	form := widget.NewForm(widget.NewFormItem(lang.X("care2.save.path", "Save as"), d.path.widget()))
	d.dlg = dialog.NewCustomWithoutButtons(title, form, e.win)
	d.dlg.SetButtons([]fyne.CanvasObject{cancel, d.save})
	d.path.entry.OnSubmitted = func(string) { d.save.OnTapped() }
	d.path.entry.onEscape = d.dlg.Hide
	d.dlg.Resize(fyne.NewSize(min(760, e.win.Canvas().Size().Width*0.9), 220))
	d.dlg.Show()
	e.win.Canvas().Focus(d.path.entry)
	return d
}

// writeNewFile hands write (which closes what it gets) a file that
// becomes path only once it is complete (transfer.WriteStream): readable
// by the user only, since it holds personal data, and an export that fails
// halfway leaves the file it was to replace as it was.
func writeNewFile(path string, write func(io.WriteCloser) error) error {
	return transfer.WriteStream(path, func(w io.Writer) error { return write(nopWriteCloser{w}) })
}

// nopWriteCloser is w with a Close that does nothing: WriteStream closes
// the file itself, after syncing it.
type nopWriteCloser struct{ io.Writer }

func (nopWriteCloser) Close() error { return nil }

// prepareOpenDialog titles an open dialog in words (Fyne's own reads
// "Öffnen Datei"), starts it in the folder used last for key (or
// Documents) and makes it large.
func prepareOpenDialog(e *env, d *dialog.FileDialog, key, title string) {
	d.SetTitleText(title)
	if u, err := storage.ListerForURI(storage.NewFileURI(lastDir(e, key))); err == nil {
		d.SetLocation(u)
	}
	largeDialog(e.win, d)
}

// rememberDir keeps dir as the folder used last for key.
func rememberDir(e *env, key, dir string) {
	if e.prefs != nil {
		e.prefs.SetString(key, dir)
	}
}
