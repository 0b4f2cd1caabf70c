package main

import (
	"slices"
	"testing"
)

func TestInvokedByGoVet(t *testing.T) {
	for _, tc := range []struct {
		args []string
		want bool
	}{
		{[]string{"-V=full"}, true},
		{[]string{"-flags"}, true},
		{[]string{"/tmp/go-build/b001/vet.cfg"}, true},
		{[]string{"-json", "-kvttl.min", "60", "/tmp/go-build/b001/vet.cfg"}, true},
		{nil, false},
		{[]string{"./..."}, false},
		{[]string{"--format=json", "./..."}, false},
		{[]string{"a.cfg", "b.cfg"}, false},
		{[]string{"a.cfg", "./..."}, false},
	} {
		if got := invokedByGoVet(tc.args); got != tc.want {
			t.Errorf("invokedByGoVet(%q) = %v, want %v", tc.args, got, tc.want)
		}
	}
}

func TestTranslateVetFlags(t *testing.T) {
	got := translateVetFlags([]string{"-json", "./...", "--", "-json"})
	want := []string{"--format=json", "./...", "--", "-json"}
	if !slices.Equal(got, want) {
		t.Errorf("translateVetFlags = %q, want %q", got, want)
	}
}

func TestRelPos(t *testing.T) {
	for _, tc := range []struct{ in, want string }{
		{"x.go:3:5", "x.go:3:5"},
		{"x.go:3", "x.go:3"},
		{"x.go", "x.go"},
		{"/nowhere/x.go:3:5", "/nowhere/x.go:3:5"},
	} {
		if got := relPos(tc.in); got != tc.want {
			t.Errorf("relPos(%q) = %q, want %q", tc.in, got, tc.want)
		}
	}
}
