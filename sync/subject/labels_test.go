package subject

import "testing"

func TestLabelsHaveTheSameKeysInBothLanguages(t *testing.T) {
	for k := range labels["de"] {
		if _, ok := labels["en"][k]; !ok {
			t.Errorf("label %q: got German only, want English too", k)
		}
	}
	for k := range labels["en"] {
		if _, ok := labels["de"][k]; !ok {
			t.Errorf("label %q: got English only, want German too", k)
		}
	}
}
