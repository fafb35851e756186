package app

import (
	"os"
	"testing"
)

// TestMain runs the tests in English, whatever language the machine has,
// so tests may compare visible text: Fyne reads the locale from these
// variables every time translations are added.
func TestMain(m *testing.M) {
	for _, v := range []string{"LC_ALL", "LC_MESSAGES", "LANGUAGE"} {
		os.Unsetenv(v)
	}
	os.Setenv("LANG", "en_US.UTF-8")
	if err := LoadTranslations(); err != nil {
		panic(err)
	}
	os.Exit(m.Run())
}
