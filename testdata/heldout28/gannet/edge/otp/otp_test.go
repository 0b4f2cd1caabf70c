package otp

import (
	"context"
	"errors"
	"testing"

	"example.com/gannet/internal/domain"
	"example.com/gannet/internal/ttl"
)

// fakeKV satisfies codeIssuer, codeRedeemer and attemptStore.
type fakeKV map[string]string

func (f fakeKV) PutFor(_ context.Context, key string, value []byte, _ ttl.Lifetime) error {
	f[key] = string(value)
	return nil
}

func (f fakeKV) Get(_ context.Context, key string) ([]byte, bool, error) {
	v, ok := f[key]
	return []byte(v), ok, nil
}

func (f fakeKV) Delete(_ context.Context, key string) error {
	delete(f, key)
	return nil
}

func (f fakeKV) Text(_ context.Context, key string) (string, error) {
	if v, ok := f[key]; ok {
		return v, nil
	}
	return missing, nil
}

func (f fakeKV) Put(_ context.Context, key string, value []byte) error {
	f[key] = string(value)
	return nil
}

func TestIssueAndVerify(t *testing.T) {
	newCode = func() string { return "123456" }
	defer func() { newCode = randomCode }()

	kv := fakeKV{}
	var sent string
	svc := New(kv, kv, kv, func(_ context.Context, _, _, code string) error { sent = code; return nil }, []byte("k"))
	ctx := context.Background()
	if err := svc.Issue(ctx, "email", "pat@example.com"); err != nil {
		t.Fatal(err)
	}
	if err := svc.Verify(ctx, "email", "pat@example.com", "000000"); !errors.Is(err, domain.ErrBadCode) {
		t.Fatalf("wrong code: %v", err)
	}
	if err := svc.Verify(ctx, "email", "pat@example.com", sent); err != nil {
		t.Fatalf("right code: %v", err)
	}
	if err := svc.Verify(ctx, "email", "pat@example.com", sent); !errors.Is(err, ErrNoCode) {
		t.Fatalf("reused code: %v", err)
	}
}
