package domain

import (
	"strings"
	"testing"
	"time"
)

func TestParseCode(t *testing.T) {
	c, err := ParseCode(" 042917 ")
	if err != nil || c.String() != "042917" {
		t.Fatalf("got %q, %v", c, err)
	}
	if _, err := ParseCode("12a456"); err == nil {
		t.Fatal("accepted a letter")
	}
	if k := c.Key("BER-Mitte"); k != "door:code:ber-mitte:042917" {
		t.Fatalf("key %q", k)
	}
}

func TestKeys(t *testing.T) {
	day := time.Date(2026, 3, 2, 15, 0, 0, 0, time.UTC)
	if k := DeskID("a 14").ClaimKey("Ber-Mitte", day); k != "desk:ber-mitte:A14:2026-03-02" {
		t.Fatalf("claim key %q", k)
	}
	if k := Email(" Ada@Example.ORG ").Key(); !strings.HasSuffix(k, "ada@example.org") {
		t.Fatalf("email key %q", k)
	}
	if k := AttemptsKey("x", 3); k != "access:attempts:x:3" {
		t.Fatalf("attempts key %q", k)
	}
}
