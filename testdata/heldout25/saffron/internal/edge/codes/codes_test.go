package codes

import (
	"context"
	"testing"

	"example.com/saffron/internal/config"
	"example.com/saffron/internal/storage/memstore"
)

type fakeSender struct{ sent []string }

func (f *fakeSender) Send(_ context.Context, phone, body string) error {
	f.sent = append(f.sent, phone+": "+body)
	return nil
}

func TestIssueSendsOnce(t *testing.T) {
	s := &fakeSender{}
	svc := NewService(memstore.New(), s, config.Default().Codes, "pepper")
	if err := svc.Issue(context.Background(), "+15550100", "login"); err != nil {
		t.Fatal(err)
	}
	if err := svc.Issue(context.Background(), "+15550100", "login"); err == nil {
		t.Fatal("second issue inside cooldown should fail")
	}
	if len(s.sent) != 1 {
		t.Fatalf("sent %d messages", len(s.sent))
	}
}
