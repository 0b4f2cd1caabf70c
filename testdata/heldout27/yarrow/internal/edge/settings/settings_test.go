package settings

import (
	"context"
	"testing"
)

// textSource mimics the binding: missing keys read as "<null>".
type textSource map[string]string

func (t textSource) Text(_ context.Context, key string) (string, error) {
	if v, ok := t[key]; ok {
		return v, nil
	}
	return absent, nil
}

func TestBanner(t *testing.T) {
	s := ProvideService(textSource{"banner:r-bao": "Free bao on Fridays"})
	if v, ok, err := s.Banner(context.Background(), "r-bao"); err != nil || !ok || v == "" {
		t.Fatalf("got %q %v %v", v, ok, err)
	}
	if _, ok, err := s.Banner(context.Background(), "r-none"); err != nil || ok {
		t.Fatalf("want no banner, got %v %v", ok, err)
	}
}

func TestPrepMinutes(t *testing.T) {
	s := ProvideService(textSource{"prep-minutes:r-bao": " 12 "})
	if got := s.PrepMinutes(context.Background(), "r-bao"); got != 12 {
		t.Fatalf("got %d", got)
	}
}
