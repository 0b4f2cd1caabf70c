package kvrest

import (
	"context"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"
	"time"
)

func testClient(t *testing.T, h http.HandlerFunc) *Client {
	t.Helper()
	srv := httptest.NewServer(h)
	t.Cleanup(srv.Close)
	c := New(srv.Client(), "tok", "acct", func() string { return "test" },
		map[string]map[string]string{"test": {"tariffs": "ns1"}})
	c.base, _ = url.Parse(srv.URL)
	return c
}

func TestPutSendsTTL(t *testing.T) {
	var gotQuery, gotPath string
	c := testClient(t, func(w http.ResponseWriter, r *http.Request) {
		gotQuery, gotPath = r.URL.RawQuery, r.URL.EscapedPath()
		_, _ = io.WriteString(w, `{"success":true,"errors":[],"result":{}}`)
	})
	if err := c.Put(context.Background(), "tariffs", "tariff:a/b", []byte("x"), 2*time.Hour); err != nil {
		t.Fatal(err)
	}
	if gotQuery != "expiration_ttl=7200" {
		t.Fatalf("query = %q", gotQuery)
	}
	if !strings.HasSuffix(gotPath, "/values/tariff:a%2Fb") {
		t.Fatalf("path = %q", gotPath)
	}
}

func TestGetNotFound(t *testing.T) {
	c := testClient(t, func(w http.ResponseWriter, r *http.Request) { http.NotFound(w, r) })
	if _, err := c.Get(context.Background(), "tariffs", "missing"); err != ErrNotFound {
		t.Fatalf("err = %v", err)
	}
}
