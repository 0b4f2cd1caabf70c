package records

import (
	"testing"
	"time"
)

type tagged struct {
	ID   string `kv:"prefix=thing/,ttl=90m"`
	Name string
}

type custom struct{ id string }

func (c custom) Key() string { return "custom/" + c.id }

func TestKeyOf(t *testing.T) {
	k, spec, err := KeyOf(tagged{ID: "a b"})
	if err != nil {
		t.Fatal(err)
	}
	if k != "thing/a%20b" || spec.TTL != 90*time.Minute {
		t.Fatalf("got %q %v", k, spec.TTL)
	}
	if k, _, _ := KeyOf(custom{id: "x"}); k != "custom/x" {
		t.Fatalf("keyer: %q", k)
	}
}

func TestHashNormalises(t *testing.T) {
	if Hash("p/", " A@B.com ") != Hash("p/", "a@b.com") {
		t.Fatal("hash should ignore case and space")
	}
}
