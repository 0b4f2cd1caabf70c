package patron

import "testing"

func TestNewCardNumber(t *testing.T) {
	for _, tc := range []struct {
		in string
		ok bool
	}{
		{"21000123456787", true},
		{"2100 0123 4567 87", true},
		{"21000123456788", false},
		{"2100012345678", false},
		{"2100012345678x", false},
	} {
		_, err := NewCardNumber(tc.in)
		if (err == nil) != tc.ok {
			t.Errorf("NewCardNumber(%q) err=%v, want ok=%v", tc.in, err, tc.ok)
		}
	}
}

func TestNewPIN(t *testing.T) {
	if _, err := NewPIN("12a4"); err == nil {
		t.Fatal("letters accepted")
	}
	if _, err := NewPIN("123456"); err != nil {
		t.Fatal(err)
	}
}
