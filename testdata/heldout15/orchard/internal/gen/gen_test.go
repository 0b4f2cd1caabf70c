package gen

import "testing"

func TestSeconds(t *testing.T) {
	if got := Seconds(90.2); got != 91 {
		t.Fatalf("Seconds(90.2) = %d", got)
	}
	if got := Seconds(60); got != 60 {
		t.Fatalf("Seconds(60) = %d", got)
	}
}

func TestTopN(t *testing.T) {
	got := TopN(map[string]int{"a": 1, "b": 5, "c": 3}, 2)
	if len(got) != 2 || got[0].Key != "b" || got[1].Key != "c" {
		t.Fatalf("TopN = %+v", got)
	}
}
