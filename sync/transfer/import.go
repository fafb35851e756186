package transfer

import (
	"context"
	"os"

	"github.com/kundenkartei/kundenkartei/model"
	kcsv "github.com/kundenkartei/kundenkartei/sync/csv"
	"github.com/kundenkartei/kundenkartei/sync/vcard"
)

// Preview reads the address book at path and previews its import: CSV
// with auto-detected columns for .csv, .tsv and .txt (read whole: such
// files are small), vCard for everything else, streamed (see
// vcard.PreviewEach): a large file is read in bounded memory, and read
// again when the plan is applied, which refuses it if it changed since
// (its size or modification time). opt.Progress gets the cards read so far
// and an estimate of the total. Besides the plan it returns the problems
// outside any card (a card's own are in its Entry); the error is for a file
// that cannot be read at all, and for ctx.Err().
func Preview(ctx context.Context, path string, svc model.ImportService, opt vcard.PreviewOptions) (*vcard.Plan, []vcard.Problem, error) {
	if IsCSV(path) {
		cards, problems, err := readCSV(path)
		if err != nil {
			return nil, nil, err
		}
		plan, err := vcard.Preview(ctx, cards, svc, opt)
		return plan, problems, err
	}
	var problems []vcard.Problem
	var first os.FileInfo
	progress := opt.Progress
	src := func(ctx context.Context, fn func([]vcard.Card) error) error {
		f, err := os.Open(path)
		if err != nil {
			return model.WrapError(model.EINVALID, err, "open %s", path)
		}
		defer f.Close()
		fi, err := f.Stat()
		if err != nil {
			return model.WrapError(model.EINVALID, err, "open %s", path)
		}
		if first != nil { // Apply reads the file again
			if fi.Size() != first.Size() || !fi.ModTime().Equal(first.ModTime()) {
				return model.WrapError(model.EINVALID, vcard.ErrChanged, "%s: nothing was imported", path)
			}
			_, err := vcard.ParseEach(ctx, f, vcard.ParseOptions{}, fn)
			return err
		}
		first = fi
		problems, err = vcard.ParseEach(ctx, f, vcard.ParseOptions{Progress: progress}, fn)
		return err
	}
	opt.Progress = nil
	plan, err := vcard.PreviewEach(ctx, src, svc, opt)
	if err != nil {
		return nil, nil, err
	}
	return plan, problems, nil
}

func readCSV(path string) ([]vcard.Card, []vcard.Problem, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, nil, model.WrapError(model.EINVALID, err, "open %s", path)
	}
	defer f.Close()
	file, err := kcsv.Read(f)
	if err != nil {
		return nil, nil, model.WrapError(model.EINVALID, err, "%s", path)
	}
	cards, problems := file.Cards(kcsv.DetectMapping(file.Header))
	return cards, append(file.Problems, problems...), nil
}
