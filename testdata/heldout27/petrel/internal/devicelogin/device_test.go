package devicelogin

import (
	"context"
	"errors"
	"testing"

	"example.com/petrel/internal/conf"
	"example.com/petrel/internal/storage"
)

type recordingStore struct {
	m       map[string][]byte
	deleted []string
}

func (r *recordingStore) Get(_ context.Context, k string) ([]byte, error) {
	if v, ok := r.m[k]; ok {
		return v, nil
	}
	return nil, &storage.NotFoundError{Key: k}
}
func (r *recordingStore) Put(_ context.Context, k string, v []byte, _ storage.PutOptions) error {
	r.m[k] = v
	return nil
}
func (r *recordingStore) Delete(_ context.Context, k string) error {
	delete(r.m, k)
	r.deleted = append(r.deleted, k)
	return nil
}
func (r *recordingStore) List(context.Context, storage.ListQuery) (storage.Page, error) {
	return storage.Page{Complete: true}, nil
}

func TestDeviceFlow(t *testing.T) {
	ctx := context.Background()
	st := &recordingStore{m: map[string][]byte{}}
	s := ProvideService(st, conf.Config{}, "https://example.test/device")
	auth, err := s.Start(ctx, "cli", "deploy")
	if err != nil {
		t.Fatal(err)
	}
	if _, err := s.Poll(ctx, auth.DeviceCode); !errors.Is(err, ErrPending) {
		t.Fatalf("want pending, got %v", err)
	}
	if err := s.Approve(ctx, auth.UserCode, "u1"); err != nil {
		t.Fatal(err)
	}
	tok, err := s.Poll(ctx, auth.DeviceCode)
	if err != nil || tok.AccessToken == "" {
		t.Fatalf("token: %+v %v", tok, err)
	}
	if len(st.deleted) != 1 {
		t.Fatalf("deleted %v", st.deleted)
	}
}
