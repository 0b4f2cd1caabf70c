package bus_test

import (
	"context"
	"errors"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"example.com/shrike/internal/bus"
)

type ping struct{ N int }

func TestDispatchByType(t *testing.T) {
	b := bus.New()
	var got int
	bus.Register(b, func(_ context.Context, p ping) error { got = p.N; return nil })
	if err := b.Dispatch(context.Background(), ping{N: 3}); err != nil || got != 3 {
		t.Fatalf("dispatch: %v %d", err, got)
	}
	if err := b.Dispatch(context.Background(), "nope"); !errors.Is(err, bus.ErrNoHandler) {
		t.Fatalf("err = %v", err)
	}
}

func TestHandleReplies(t *testing.T) {
	b := bus.New()
	bus.Register(b, func(ctx context.Context, p ping) error { bus.Reply(ctx, map[string]int{"n": p.N * 2}); return nil })
	h := bus.Handle(b, bus.JSONBody[ping], func(error) int { return http.StatusTeapot })
	rec := httptest.NewRecorder()
	h(rec, httptest.NewRequest(http.MethodPost, "/", strings.NewReader(`{"N":4}`)))
	if rec.Code != http.StatusOK || !strings.Contains(rec.Body.String(), `"n":8`) {
		t.Fatalf("%d %s", rec.Code, rec.Body)
	}
}
