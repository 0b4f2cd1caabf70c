package codec

import (
	"errors"
	"testing"
)

func TestUint64RoundTrip(t *testing.T) {
	for _, n := range []uint64{0, 1, 255, 1 << 40, ^uint64(0)} {
		got, err := DecodeUint64(Uint64(n))
		if err != nil || got != n {
			t.Fatalf("round trip %d: got %d, %v", n, got, err)
		}
	}
	if _, err := DecodeUint64([]byte("12")); !errors.Is(err, ErrShortValue) {
		t.Fatalf("short value: got %v", err)
	}
}

func TestEnvelopeKind(t *testing.T) {
	type thing struct{ N int }
	b, err := Seal(KindLobby, thing{N: 7})
	if err != nil {
		t.Fatal(err)
	}
	if v, err := Open[thing](KindLobby, b); err != nil || v.N != 7 {
		t.Fatalf("open: %+v %v", v, err)
	}
	if _, err := Open[thing](KindSession, b); err == nil {
		t.Fatal("open with wrong kind succeeded")
	}
}
