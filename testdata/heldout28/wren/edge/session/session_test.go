//go:build js && wasm

package session

import (
	"testing"
	"time"
)

func TestRandomTokenLength(t *testing.T) {
	if got := len(randomToken()); got != 43 {
		t.Fatalf("token length = %d, want 43", got)
	}
}

func TestCookieExpiry(t *testing.T) {
	s := &SessionService{absolute: time.Hour}
	created := time.Date(2025, 3, 1, 10, 0, 0, 0, time.UTC)
	c := s.Cookie(Session{ID: "abc", CreatedAt: created})
	if !c.Expires.Equal(created.Add(time.Hour)) {
		t.Fatalf("expires = %v", c.Expires)
	}
}
