package subscribers_test

import (
	"bytes"
	"context"
	"errors"
	"strings"
	"testing"
	"time"

	"example.com/pressroom/internal/config"
	"example.com/pressroom/internal/keys"
	"example.com/pressroom/internal/store/memstore"
	"example.com/pressroom/internal/subscribers"
)

type outbox struct{ codes []string }

func (o *outbox) SendConfirmation(_ context.Context, _, _, code string) error {
	o.codes = append(o.codes, code)
	return nil
}

func newService(t *testing.T) (*subscribers.Service, *outbox) {
	t.Helper()
	n := 0
	codes := func() string { n++; return "code" + string(rune('0'+n)) }
	box := &outbox{}
	clock := func() time.Time { return time.Date(2025, 5, 1, 9, 0, 0, 0, time.UTC) }
	svc := subscribers.New(memstore.New(), box, config.Default().Signup,
		subscribers.WithCodes(codes), subscribers.WithClock(clock))
	return svc, box
}

func TestDoubleOptIn(t *testing.T) {
	ctx := context.Background()
	svc, box := newService(t)
	tenant := keys.Tenant("acme")

	if err := svc.Subscribe(ctx, tenant, "Reader@Example.com"); err != nil {
		t.Fatal(err)
	}
	if err := svc.Subscribe(ctx, tenant, "reader@example.com"); !errors.Is(err, subscribers.ErrAlreadySubscribed) {
		t.Fatalf("second subscribe: %v", err)
	}
	if len(box.codes) != 1 {
		t.Fatalf("codes sent = %d", len(box.codes))
	}
	sub, unsub, err := svc.Confirm(ctx, box.codes[0])
	if err != nil {
		t.Fatal(err)
	}
	if sub.Status != subscribers.StatusActive || unsub == "" {
		t.Fatalf("confirm = %+v %q", sub, unsub)
	}
	if _, _, err := svc.Confirm(ctx, box.codes[0]); !errors.Is(err, subscribers.ErrInvalidCode) {
		t.Fatalf("reused code: %v", err)
	}
}

func TestInvalidEmail(t *testing.T) {
	svc, _ := newService(t)
	err := svc.Subscribe(context.Background(), "acme", "not an address")
	if !errors.Is(err, subscribers.ErrInvalidEmail) {
		t.Fatalf("got %v", err)
	}
}

func TestTagsAndExport(t *testing.T) {
	ctx := context.Background()
	svc, _ := newService(t)
	tenant := keys.Tenant("acme")
	for _, e := range []string{"a@example.com", "b@example.com"} {
		if err := svc.Subscribe(ctx, tenant, e); err != nil {
			t.Fatal(err)
		}
	}
	_ = svc.Tag(ctx, tenant, "a@example.com", "press")
	_ = svc.Tag(ctx, tenant, "a@example.com", "press")
	_ = svc.Tag(ctx, tenant, "a@example.com", "investors")
	if v, _, _ := svc.Get(ctx, tenant.Tags("a@example.com")); v != "press,investors" {
		t.Fatalf("tags = %q", v)
	}
	var buf bytes.Buffer
	n, err := svc.Export(ctx, tenant, &buf)
	if err != nil || n != 2 {
		t.Fatalf("export = %d, %v", n, err)
	}
	if !strings.Contains(buf.String(), "b@example.com,pending") {
		t.Fatalf("csv:\n%s", buf.String())
	}
}
