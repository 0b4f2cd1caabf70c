package waitlist

import (
	"context"
	"errors"
	"testing"

	"example.com/saffron/internal/config"
	"example.com/saffron/internal/keys"
	"example.com/saffron/internal/store"
	"example.com/saffron/internal/store/memstore"
)

type fakeSMS struct{ sent []string }

func (f *fakeSMS) Send(_ context.Context, phone, _ string) error {
	f.sent = append(f.sent, phone)
	return nil
}

func quota(n int) func() *config.Config {
	c := config.Default
	c.SMSDailyQuota = n
	return func() *config.Config { return &c }
}

func TestJoinSeat(t *testing.T) {
	ctx := context.Background()
	s := New(memstore.New(), &fakeSMS{}, config.Current)
	a, pos, err := s.Join(ctx, "olive-soho", "Ana", "+4470000001", 2)
	if err != nil || pos != 1 {
		t.Fatalf("join: pos=%d err=%v", pos, err)
	}
	if _, pos, _ = s.Join(ctx, "olive-soho", "Ben", "+4470000002", 4); pos != 2 {
		t.Fatalf("second join position %d", pos)
	}
	if err := s.Seat(ctx, "olive-soho", a); err != nil {
		t.Fatal(err)
	}
	if err := s.Seat(ctx, "olive-soho", a); !errors.Is(err, ErrNotOnList) {
		t.Fatalf("seat twice: %v", err)
	}
	b, _ := s.Peek(ctx, "olive-soho")
	if len(b.Parties) != 1 || b.Parties[0].Name != "Ben" {
		t.Fatalf("board %+v", b)
	}
}

func TestNotifyRespectsQuota(t *testing.T) {
	ctx := context.Background()
	sms := &fakeSMS{}
	s := New(memstore.New(), sms, quota(1))
	a, _, _ := s.Join(ctx, "brasa-leeds", "Cy", "+4470000003", 3)
	b, _, _ := s.Join(ctx, "brasa-leeds", "Di", "+4470000004", 2)
	if err := s.Notify(ctx, "brasa-leeds", a); err != nil {
		t.Fatal(err)
	}
	if err := s.Notify(ctx, "brasa-leeds", b); !errors.Is(err, ErrQuotaUsed) {
		t.Fatalf("over quota: %v", err)
	}
	if len(sms.sent) != 1 {
		t.Fatalf("sent %v", sms.sent)
	}
}

func TestHostAddPosition(t *testing.T) {
	ctx := context.Background()
	m := memstore.New()
	s := New(m, &fakeSMS{}, config.Current)
	_, _, _ = s.Join(ctx, "olive-soho", "Ana", "+4470000001", 2)
	if err := s.HostAdd(ctx, "olive-soho", Party{Name: "Regular", Size: 2}, 1); err != nil {
		t.Fatal(err)
	}
	b, _, _ := store.GetJSON[Board](ctx, m, keys.Waitlist("olive-soho"))
	if len(b.Parties) != 2 || b.Parties[0].Name != "Regular" {
		t.Fatalf("board %+v", b)
	}
}
