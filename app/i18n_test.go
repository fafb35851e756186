package app

import (
	"encoding/json"
	"os"
	"path/filepath"
	"regexp"
	"sort"
	"strings"
	"testing"

	"github.com/kundenkartei/kundenkartei/model"
)

// translationDir is where the embedded translation files live in the source tree.
const translationDir = "../assets/translations"

// langCall finds lang.X / lang.XN / lang.L calls with a literal first
// argument; keys built at run time are covered by dynamicKeys below.
var langCall = regexp.MustCompile(`lang\.(X|XN|L)\(\s*"((?:[^"\\]|\\.)*)"\s*[,)]`)

// langPrefix finds keys built by concatenation: lang.X("note.kind."+k, …).
var langPrefix = regexp.MustCompile(`lang\.(?:X|XN)\(\s*"([^"]*)"\s*\+`)

// usedKeys scans the non-test Go files of this package for translation
// keys; prefixes are the beginnings of keys built at run time.
func usedKeys(t *testing.T) (keys map[string][]string, prefixes map[string]string) {
	t.Helper()
	files, err := filepath.Glob("*.go")
	if err != nil {
		t.Fatal(err)
	}
	keys, prefixes = map[string][]string{}, map[string]string{}
	for _, name := range files {
		if strings.HasSuffix(name, "_test.go") {
			continue
		}
		src, err := os.ReadFile(name)
		if err != nil {
			t.Fatal(err)
		}
		for _, m := range langCall.FindAllStringSubmatch(string(src), -1) {
			keys[m[2]] = append(keys[m[2]], name)
		}
		for _, m := range langPrefix.FindAllStringSubmatch(string(src), -1) {
			prefixes[m[1]] = name
		}
	}
	return keys, prefixes
}

// dynamicKeys are the keys the code builds from model values (see format.go).
func dynamicKeys() []string {
	var keys []string
	for _, k := range model.NoteKinds {
		keys = append(keys, "note.kind."+string(k))
	}
	for _, i := range model.Impressions {
		keys = append(keys, "note.impression."+string(i))
	}
	for _, k := range model.GestureKinds {
		keys = append(keys, "gesture.kind."+string(k))
	}
	for _, s := range model.GestureStatuses {
		keys = append(keys, "gesture.status."+string(s))
	}
	for _, s := range []model.FollowUpStatus{model.FollowUpOpen, model.FollowUpDone, model.FollowUpCancelled} {
		keys = append(keys, "followup.status."+string(s))
	}
	for _, ch := range model.Channels {
		keys = append(keys, "consent.channel."+ch)
	}
	for _, s := range builtinSegments {
		keys = append(keys, "segment."+s)
	}
	for _, l := range builtinLabels {
		keys = append(keys, "label."+l)
	}
	for _, r := range []string{"manual", "daily", "import", "sync", "merge", "restore"} {
		keys = append(keys, "backup.reason."+r)
	}
	return keys
}

// validationKeys are the FieldError keys model uses; errors.go shows them
// translated, so both languages need every one.
var validationAdd = regexp.MustCompile(`v\.add\([^,]+,\s*"([a-z_.]+)"`)

func validationKeys(t *testing.T) []string {
	t.Helper()
	files, err := filepath.Glob("../model/*.go")
	if err != nil {
		t.Fatal(err)
	}
	seen := map[string]bool{}
	var keys []string
	for _, name := range files {
		if strings.HasSuffix(name, "_test.go") {
			continue
		}
		src, err := os.ReadFile(name)
		if err != nil {
			t.Fatal(err)
		}
		for _, m := range validationAdd.FindAllStringSubmatch(string(src), -1) {
			if !seen[m[1]] {
				seen[m[1]] = true
				keys = append(keys, m[1])
			}
		}
	}
	if len(keys) < 10 {
		t.Fatalf("found only %d validation keys in model; the pattern no longer matches", len(keys))
	}
	return keys
}

// translationFiles reads every translation file: file name → key → value
// (a string, or a map of plural forms).
func translationFiles(t *testing.T) map[string]map[string]any {
	t.Helper()
	names, err := filepath.Glob(filepath.Join(translationDir, "*.json"))
	if err != nil {
		t.Fatal(err)
	}
	out := map[string]map[string]any{}
	for _, name := range names {
		data, err := os.ReadFile(name)
		if err != nil {
			t.Fatal(err)
		}
		var m map[string]any
		if err := json.Unmarshal(data, &m); err != nil {
			t.Fatalf("%s: %v", name, err)
		}
		out[filepath.Base(name)] = m
	}
	return out
}

// languageOf returns "de" for "de.json" and "care.de.json".
func languageOf(file string) string {
	parts := strings.Split(strings.TrimSuffix(file, ".json"), ".")
	return parts[len(parts)-1]
}

func TestTranslationsCoverEveryKey(t *testing.T) {
	files := translationFiles(t)
	byLang := map[string]map[string]any{}
	for name, m := range files {
		l := languageOf(name)
		if byLang[l] == nil {
			byLang[l] = map[string]any{}
		}
		for k, v := range m {
			byLang[l][k] = v
		}
	}
	for _, l := range []string{"de", "en"} {
		if byLang[l] == nil {
			t.Fatalf("no translation files for %q", l)
		}
	}
	want := map[string]string{}
	used, prefixes := usedKeys(t)
	for k, files := range used {
		want[k] = files[0]
	}
	for _, k := range dynamicKeys() {
		want[k] = "format.go (built from model values)"
	}
	// Every family of built keys must be listed in dynamicKeys, or its
	// translations would go unchecked.
	for p, file := range prefixes {
		found := false
		for _, k := range dynamicKeys() {
			found = found || strings.HasPrefix(k, p)
		}
		if !found {
			t.Errorf("%s builds keys starting %q; add them to dynamicKeys", file, p)
		}
	}
	for _, k := range validationKeys(t) {
		want[k] = "model (FieldError.Key)"
	}
	if len(want) < 100 {
		t.Fatalf("found only %d keys; the scan is broken", len(want))
	}
	keys := make([]string, 0, len(want))
	for k := range want {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	for l, m := range byLang {
		for _, k := range keys {
			v, ok := m[k]
			if !ok {
				t.Errorf("%s: key %q (used in %s) is missing", l, k, want[k])
				continue
			}
			if s, isString := v.(string); isString && strings.TrimSpace(s) == "" {
				t.Errorf("%s: key %q is empty", l, k)
			}
		}
	}
}

func TestTranslationFilesHaveTheSameKeys(t *testing.T) {
	files := translationFiles(t)
	for name, de := range files {
		if languageOf(name) != "de" {
			continue
		}
		enName := strings.TrimSuffix(name, "de.json") + "en.json"
		en, ok := files[enName]
		if !ok {
			t.Errorf("%s has no English counterpart %s", name, enName)
			continue
		}
		for k := range de {
			if _, ok := en[k]; !ok {
				t.Errorf("%s: key %q is missing (it is in %s)", enName, k, name)
			}
		}
		for k := range en {
			if _, ok := de[k]; !ok {
				t.Errorf("%s: key %q is missing (it is in %s)", name, k, enName)
			}
		}
	}
}

func TestTranslationTemplatesMatch(t *testing.T) {
	files := translationFiles(t)
	field := regexp.MustCompile(`\{\{\s*\.(\w+)\s*\}\}`)
	fields := func(v any) string {
		var all []string
		add := func(s string) {
			for _, m := range field.FindAllStringSubmatch(s, -1) {
				all = append(all, m[1])
			}
		}
		switch x := v.(type) {
		case string:
			add(x)
		case map[string]any:
			if o, ok := x["other"].(string); ok {
				add(o)
			}
		}
		sort.Strings(all)
		return strings.Join(all, ",")
	}
	de, en := files["de.json"], files["en.json"]
	for k, dv := range de {
		if got, want := fields(dv), fields(en[k]); got != want {
			t.Errorf("%s: German uses fields %q, English %q", k, got, want)
		}
	}
}
