package kvkey

import "testing"

func TestBuilders(t *testing.T) {
	if got := Scoped(Channels, "w1")("general", "members"); got != "chan:w1:general:members" {
		t.Fatalf("Scoped = %q", got)
	}
	if got := User(Devices, "u1").Child("tok").Prefix(); got != "device:u:u1:tok:" {
		t.Fatalf("Prefix = %q", got)
	}
	if got := Blob("history", "w1", "m1"); got != "blob/history/w1/m1" {
		t.Fatalf("Blob = %q", got)
	}
	if got := New("a", "b").Last(); got != "b" {
		t.Fatalf("Last = %q", got)
	}
}
