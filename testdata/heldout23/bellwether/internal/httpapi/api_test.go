package httpapi

import (
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"example.com/bellwether/internal/kvstore/memkv"
	"example.com/bellwether/internal/polls"
)

func TestCreatePollValidation(t *testing.T) {
	store := memkv.New()
	api := New(store, WithPolls(polls.NewService(polls.NewRepo(store))))
	req := httptest.NewRequest(http.MethodPost, "/v1/polls", strings.NewReader(`{"slug":"x","question":"","choices":[]}`))
	rec := httptest.NewRecorder()
	api.Handler().ServeHTTP(rec, req)
	if rec.Code != http.StatusBadRequest {
		t.Fatalf("status = %d, body = %s", rec.Code, rec.Body)
	}
}
