package bus

import (
	"context"
	"errors"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
)

type renameShow struct {
	ID    string `json:"id"`
	Title string `json:"title"`
}

func TestDispatchAndHTTP(t *testing.T) {
	b := New()
	var got renameShow
	Register(b, func(_ context.Context, c renameShow) error {
		if c.Title == "" {
			return Fail(http.StatusUnprocessableEntity, errors.New("title required"))
		}
		got = c
		return nil
	})
	if err := b.Dispatch(context.Background(), 42); !errors.Is(err, ErrNoHandler) {
		t.Fatalf("unregistered type: %v", err)
	}
	h := Handle[renameShow](b, nil)
	rec := httptest.NewRecorder()
	h(rec, httptest.NewRequest(http.MethodPost, "/", strings.NewReader(`{"id":"s1","title":"New"}`)))
	if rec.Code != http.StatusNoContent || got.Title != "New" {
		t.Fatalf("code %d, got %+v", rec.Code, got)
	}
	rec = httptest.NewRecorder()
	h(rec, httptest.NewRequest(http.MethodPost, "/", strings.NewReader(`{"id":"s1"}`)))
	if rec.Code != http.StatusUnprocessableEntity {
		t.Fatalf("code %d", rec.Code)
	}
}
