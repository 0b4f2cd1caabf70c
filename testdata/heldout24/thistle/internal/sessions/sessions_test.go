package sessions

import (
	"context"
	"testing"
	"time"

	"example.com/thistle/internal/clock"
	"example.com/thistle/internal/config"
	"example.com/thistle/internal/memstore"
	"example.com/thistle/internal/store"
)

type countingDeletes struct {
	store.Store
	deletes int
}

func (c *countingDeletes) Delete(ctx context.Context, key string) error {
	c.deletes++
	return c.Store.Delete(ctx, key)
}

func TestLoginLinkRoundTrip(t *testing.T) {
	ctx := context.Background()
	clk := clock.NewManual(time.Date(2025, 3, 3, 9, 0, 0, 0, time.UTC))
	st := &countingDeletes{Store: memstore.New(memstore.WithClock(clk))}
	cfg, _ := config.Parse(nil)
	var sent string
	svc := New(st, clk, cfg, WithMailer(MailerFunc(func(_ context.Context, _, url string) error {
		sent = url
		return nil
	})))
	if err := svc.IssueLink(ctx, "a@example.com", "c1"); err != nil {
		t.Fatal(err)
	}
	tok := sent[len("https://thistle.example/login/"):]
	sess, err := svc.RedeemLink(ctx, tok)
	if err != nil {
		t.Fatal(err)
	}
	if st.deletes != 1 || sess.CustomerID != "c1" {
		t.Fatalf("deletes=%d sess=%+v", st.deletes, sess)
	}
	if _, err := svc.Resolve(ctx, sess.ID); err != nil {
		t.Fatal(err)
	}
}
