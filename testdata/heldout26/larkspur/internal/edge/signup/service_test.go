package signup

import (
	"context"
	"strings"
	"testing"

	"example.com/larkspur/internal/keys"
	"example.com/larkspur/internal/kvstore"
)

type memStore struct {
	vals    map[string][]byte
	ttls    map[string]kvstore.Options
	deleted []string
}

func newMemStore() *memStore {
	return &memStore{vals: map[string][]byte{}, ttls: map[string]kvstore.Options{}}
}

func (m *memStore) Get(_ context.Context, key string, _ ...kvstore.Option) ([]byte, error) {
	if v, ok := m.vals[key]; ok {
		return v, nil
	}
	return nil, kvstore.ErrNotFound
}

func (m *memStore) Put(_ context.Context, key string, value []byte, opts ...kvstore.Option) error {
	m.vals[key] = value
	m.ttls[key] = kvstore.Resolve(opts...)
	return nil
}

func (m *memStore) Delete(_ context.Context, key string) error {
	m.deleted = append(m.deleted, key)
	delete(m.vals, key)
	return nil
}

func (m *memStore) List(_ context.Context, prefix string, _ ...kvstore.Option) (kvstore.Page, error) {
	var p kvstore.Page
	for k := range m.vals {
		if strings.HasPrefix(k, prefix) {
			p.Keys = append(p.Keys, kvstore.KeyInfo{Name: k})
		}
	}
	p.Complete = true
	return p, nil
}

type outbox struct{ bodies []string }

func (o *outbox) Send(_ context.Context, _, _, body string) error {
	o.bodies = append(o.bodies, body)
	return nil
}

func TestDoubleOptIn(t *testing.T) {
	st, mail := newMemStore(), &outbox{}
	ks := keys.New("test")
	svc := NewService(ks, mail, Settings{ConfirmTTLSeconds: 3600, UndoWindowSeconds: 300, ConfirmBaseURL: "https://example.test/"})
	svc.SetStore(st)
	ctx := context.Background()

	if err := svc.Subscribe(ctx, "list1", "Reader@Example.com", "form"); err != nil {
		t.Fatal(err)
	}
	if len(mail.bodies) != 1 {
		t.Fatalf("sent %d mails", len(mail.bodies))
	}
	_, rest, _ := strings.Cut(mail.bodies[0], "?t=")
	token, _, _ := strings.Cut(rest, "\n")
	sub, err := svc.Confirm(ctx, token)
	if err != nil {
		t.Fatal(err)
	}
	if sub.ListID != "list1" {
		t.Fatalf("confirmed %+v", sub)
	}
	if _, err := svc.Confirm(ctx, token); err != ErrLinkExpired {
		t.Fatalf("second confirm: %v", err)
	}
	if err := svc.Subscribe(ctx, "list1", "reader@example.com", "form"); err != ErrAlreadySubscribed {
		t.Fatalf("resubscribe: %v", err)
	}
}
