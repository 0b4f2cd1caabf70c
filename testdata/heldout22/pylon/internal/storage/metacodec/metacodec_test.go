package metacodec

import (
	"encoding/json"
	"testing"
	"time"
)

type label struct {
	Site  string    `kvmeta:"site"`
	Level int       `kvmeta:"lv,omitempty"`
	Cold  bool      `kvmeta:"cold"`
	Taken time.Time `kvmeta:"t"`
	Skip  string    `kvmeta:"-"`
}

func TestRoundTrip(t *testing.T) {
	in := label{Site: "north", Level: 2, Cold: true, Taken: time.Unix(1700000000, 0).UTC(), Skip: "x"}
	m, err := Encode(in)
	if err != nil {
		t.Fatal(err)
	}
	raw, _ := json.Marshal(m)
	var back map[string]any
	_ = json.Unmarshal(raw, &back)
	var out label
	if err := Decode(back, &out); err != nil {
		t.Fatal(err)
	}
	in.Skip = ""
	if out != in {
		t.Fatalf("got %+v want %+v", out, in)
	}
}
