package notify

import (
	"bytes"
	"context"
	"strings"
	"testing"
	"time"

	"example.com/halyard/internal/kvstore/memkv"
)

func newService() *Service {
	return NewService(memkv.New(), time.Minute, 5*time.Minute, 2, []byte("k"))
}

func TestPrefsDefaultsAndToggle(t *testing.T) {
	ctx := context.Background()
	s := newService()
	p, err := s.Get(ctx, "acme", "C1")
	if err != nil || !p.Email || p.SMS {
		t.Fatalf("defaults: %+v %v", p, err)
	}
	if err := s.SetChannel(ctx, "acme", "C1", SMS, true); err != nil {
		t.Fatal(err)
	}
	if p, _ := s.Get(ctx, "acme", "C1"); !p.SMS {
		t.Fatalf("sms not enabled: %+v", p)
	}
	var buf bytes.Buffer
	if err := s.ExportCSV(ctx, "acme", &buf); err != nil {
		t.Fatal(err)
	}
	if !strings.HasPrefix(buf.String(), "acme,C1,") {
		t.Fatalf("export = %q", buf.String())
	}
}

func TestConfirmAndUnsubscribe(t *testing.T) {
	ctx := context.Background()
	s := newService()
	tok, err := s.RequestConfirmation(ctx, "acme", "C1", "ops@example.com")
	if err != nil {
		t.Fatal(err)
	}
	if ok, _ := s.ResendAvailable(ctx, "acme", "C1"); ok {
		t.Fatal("resend should be throttled")
	}
	if err := s.Confirm(ctx, tok); err != nil {
		t.Fatal(err)
	}
	if err := s.Confirm(ctx, tok); err != ErrInvalidToken {
		t.Fatalf("second confirm: %v", err)
	}
	u := s.UnsubscribeToken("acme", "C1", Email)
	if err := s.Unsubscribe(ctx, u); err != nil {
		t.Fatal(err)
	}
	if out, _ := s.OptedOut(ctx, "acme", "C1", Email); !out {
		t.Fatal("not opted out")
	}
}

func TestSMSQuota(t *testing.T) {
	ctx := context.Background()
	s := newService()
	for i := 0; i < 2; i++ {
		if err := s.ConsumeSMS(ctx, "C1"); err != nil {
			t.Fatal(err)
		}
	}
	if err := s.ConsumeSMS(ctx, "C1"); err != ErrSMSQuota {
		t.Fatalf("third sms: %v", err)
	}
}
