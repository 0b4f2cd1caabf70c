package httpx

import (
	"context"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
)

type echoIn struct{ Name string }
type echoOut struct{ Greeting string }

func TestJSONAdapter(t *testing.T) {
	h := JSON(func(_ context.Context, in echoIn) (echoOut, error) {
		if in.Name == "" {
			return echoOut{}, Errorf(http.StatusBadRequest, "name required")
		}
		return echoOut{Greeting: "hi " + in.Name}, nil
	})
	rec := httptest.NewRecorder()
	req := httptest.NewRequest(http.MethodPost, "/", strings.NewReader(`{"Name":"Ada"}`))
	h(rec, req)
	if rec.Code != http.StatusCreated {
		t.Fatalf("status = %d", rec.Code)
	}
	if !strings.Contains(rec.Body.String(), "hi Ada") {
		t.Fatalf("body = %s", rec.Body)
	}
}
