package codec

import (
	"testing"
	"time"
)

func TestSeconds(t *testing.T) {
	if got := Seconds(90 * time.Second); got != 90 {
		t.Fatalf("Seconds = %d", got)
	}
	if got := Seconds(1.5e9); got != 1 {
		t.Fatalf("Seconds(float) = %d", got)
	}
}

func TestUint64(t *testing.T) {
	for _, n := range []uint64{0, 1, 1 << 40} {
		got, err := DecodeUint64(EncodeUint64(n))
		if err != nil || got != n {
			t.Fatalf("%d: %d %v", n, got, err)
		}
	}
}

func TestTopN(t *testing.T) {
	ps := []Pair[string, float64]{{"a", 1}, {"b", 3}, {"c", 2}}
	got := TopN(ps, 2)
	if len(got) != 2 || got[0].Key != "b" || got[1].Key != "c" {
		t.Fatalf("got %v", got)
	}
}

func TestGob(t *testing.T) {
	type L struct {
		Holder  string
		Expires time.Time
	}
	in := L{"h1", time.Unix(1700000000, 0).UTC()}
	s, err := GobString(in)
	if err != nil {
		t.Fatal(err)
	}
	var out L
	if err := FromGobString(s, &out); err != nil || !out.Expires.Equal(in.Expires) || out.Holder != "h1" {
		t.Fatalf("%v %v", out, err)
	}
}
