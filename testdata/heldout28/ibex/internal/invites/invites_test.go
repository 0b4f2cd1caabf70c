package invites

import (
	"context"
	"errors"
	"testing"
	"time"
)

var errMissing = errors.New("missing")

type fakeKV struct {
	data map[string][]byte
	ttl  map[string]time.Duration
}

func newFakeKV() *fakeKV { return &fakeKV{data: map[string][]byte{}, ttl: map[string]time.Duration{}} }

func (f *fakeKV) Get(_ context.Context, key string) ([]byte, error) {
	v, ok := f.data[key]
	if !ok {
		return nil, errMissing
	}
	return v, nil
}

func (f *fakeKV) Put(_ context.Context, key string, val []byte) error {
	f.data[key] = val
	return nil
}

func (f *fakeKV) PutTTL(_ context.Context, key string, val []byte, ttl time.Duration) error {
	f.data[key], f.ttl[key] = val, ttl
	return nil
}

func (f *fakeKV) Delete(_ context.Context, key string) error {
	delete(f.data, key)
	return nil
}

var (
	_ codeIssuer   = (*fakeKV)(nil)
	_ codeRedeemer = (*fakeKV)(nil)
	_ failureLog   = (*fakeKV)(nil)
	_ cooldowns    = (*fakeKV)(nil)
)

type sentMail struct{ code string }

func (m *sentMail) SendInvite(_ context.Context, _, _, code string) error {
	m.code = code
	return nil
}

func TestSendAndRedeem(t *testing.T) {
	kv := newFakeKV()
	mail := &sentMail{}
	s := &Service{issuer: kv, redeemer: kv, failures: kv, cooldowns: kv,
		notFound: func(err error) bool { return errors.Is(err, errMissing) }, mail: mail, validDays: 7}

	newCode = func() string { return "ABCDEFGHJK" }
	timeNow = func() time.Time { return time.Date(2025, 3, 1, 12, 0, 0, 0, time.UTC) }
	t.Cleanup(func() { timeNow = time.Now })

	ctx := context.Background()
	if err := s.Send(ctx, "show1", "creator1", "Listener@Example.com"); err != nil {
		t.Fatal(err)
	}
	inv, err := s.Redeem(ctx, mail.code, "listener@example.com")
	if err != nil {
		t.Fatal(err)
	}
	if inv.ShowID != "show1" {
		t.Fatalf("show %q", inv.ShowID)
	}
	if _, err := s.Redeem(ctx, mail.code, "listener@example.com"); !errors.Is(err, ErrInvalidCode) {
		t.Fatalf("second redeem: %v", err)
	}
}
