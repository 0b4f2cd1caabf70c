package httpapi

import (
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"example.com/beacon/internal/device"
	"example.com/beacon/internal/kvstore/memkv"
	"example.com/beacon/internal/session"
)

func TestRegisterDevice(t *testing.T) {
	store := memkv.New()
	mux := NewMux(Deps{
		Devices:  device.NewService(store, time.Hour, time.Minute),
		Limiter:  &device.Limiter{Store: store, Window: time.Minute, Limit: 100},
		Sessions: session.NewManager(store, time.Hour, time.Hour),
		Stats:    store,
	})
	body := `{"device_id":"d1","platform":"ios","push_token":"abc"}`
	req := httptest.NewRequest(http.MethodPost, "/v1/tenants/t1/devices?confirm=1", strings.NewReader(body))
	rec := httptest.NewRecorder()
	mux.ServeHTTP(rec, req)
	if rec.Code != http.StatusCreated {
		t.Fatalf("status = %d, body %s", rec.Code, rec.Body)
	}

	req = httptest.NewRequest(http.MethodGet, "/v1/tenants/t1/devices/count", nil)
	rec = httptest.NewRecorder()
	mux.ServeHTTP(rec, req)
	if rec.Code != http.StatusUnauthorized {
		t.Fatalf("console without session: status = %d", rec.Code)
	}
}
