package endpoint

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"example.com/quarry/internal/storage"
)

func TestStatus(t *testing.T) {
	cases := map[error]int{
		fmt.Errorf("load: %w", &storage.NotFoundError{Key: "k"}): 404,
		Conflict(errors.New("taken")):                            409,
		errors.New("boom"):                                       500,
	}
	for err, want := range cases {
		if got := Status(err); got != want {
			t.Errorf("%v: got %d want %d", err, got, want)
		}
	}
}

func TestServer(t *testing.T) {
	type req struct{ Name string }
	e := func(_ context.Context, r any) (any, error) {
		return map[string]string{"hello": r.(req).Name}, nil
	}
	dec := func(_ context.Context, r *http.Request) (any, error) {
		var v req
		return v, json.NewDecoder(r.Body).Decode(&v)
	}
	srv := NewServer(e, dec, EncodeJSON)
	rec := httptest.NewRecorder()
	srv.ServeHTTP(rec, httptest.NewRequest(http.MethodPost, "/", strings.NewReader(`{"Name":"q"}`)))
	if rec.Code != 200 || !strings.Contains(rec.Body.String(), `"hello":"q"`) {
		t.Fatalf("%d %s", rec.Code, rec.Body)
	}
}
