package wristband

import (
	"context"
	"errors"
	"io"
	"log/slog"
	"testing"

	"example.com/tamarack/internal/platform/store"
)

type fakeTickets map[string]Ticket

func (f fakeTickets) Ticket(_ context.Context, id string) (Ticket, error) {
	t, ok := f[id]
	if !ok {
		return Ticket{}, errors.New("no such ticket")
	}
	return t, nil
}

// mapStore is a minimal store.Store.
type mapStore map[string]string

func (m mapStore) Get(_ context.Context, key string, _ ...store.GetOption) (string, error) {
	v, ok := m[key]
	if !ok {
		return "", store.ErrNotFound
	}
	return v, nil
}

func (m mapStore) Put(_ context.Context, key, value string, _ ...store.PutOption) error {
	m[key] = value
	return nil
}

func (m mapStore) Delete(_ context.Context, key string) error {
	delete(m, key)
	return nil
}

func (m mapStore) List(context.Context, store.ListOptions) (store.Page, error) {
	return store.Page{Complete: true}, nil
}

func TestActivateTwice(t *testing.T) {
	st := mapStore{}
	svc := NewService(st, fakeTickets{"T1": {ID: "T1", Holder: "Ada", Tier: "vip"}},
		WithLogger(slog.New(slog.NewTextHandler(io.Discard, nil))))
	ctx := context.Background()
	if _, err := svc.Activate(ctx, "abcd-efgh-ijkl-mnop", "T1"); err != nil {
		t.Fatal(err)
	}
	if _, err := svc.Activate(ctx, "ABCD-EFGH-IJKL-MNOP", "T1"); !errors.Is(err, ErrAlreadyActive) {
		t.Errorf("second activation: err = %v", err)
	}
	if _, err := Normalize("short"); !errors.Is(err, ErrBadCode) {
		t.Errorf("Normalize accepted a short code")
	}
}
