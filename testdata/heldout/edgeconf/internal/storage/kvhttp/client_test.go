package kvhttp

import (
	"context"
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"example.com/edgeconf/internal/storage"
)

func TestPutSendsTTLAndBody(t *testing.T) {
	var gotPath, gotQuery, gotBody string
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.Method != http.MethodPut {
			t.Errorf("method = %s", r.Method)
		}
		gotPath, gotQuery = r.URL.EscapedPath(), r.URL.RawQuery
		b, _ := io.ReadAll(r.Body)
		gotBody = string(b)
		_, _ = io.WriteString(w, `{"success":true}`)
	}))
	defer srv.Close()

	c := New(Config{BaseURL: srv.URL, AccountID: "acc", NamespaceID: "ns", APIToken: "tok"}, srv.Client())
	if err := c.Put(context.Background(), "flag:t1/a b", []byte("v"), PutOptions{ExpirationTTL: 300}); err != nil {
		t.Fatal(err)
	}
	if want := "/accounts/acc/storage/kv/namespaces/ns/values/flag:t1%2Fa%20b"; gotPath != want {
		t.Errorf("path = %s, want %s", gotPath, want)
	}
	if gotQuery != "expiration_ttl=300" || gotBody != "v" {
		t.Errorf("query %q body %q", gotQuery, gotBody)
	}
}

func TestGetNotFound(t *testing.T) {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		http.Error(w, `{"success":false}`, http.StatusNotFound)
	}))
	defer srv.Close()
	c := New(Config{BaseURL: srv.URL, AccountID: "a", NamespaceID: "n"}, srv.Client())
	if _, err := c.Get(context.Background(), "missing"); !storage.IsNotFound(err) {
		t.Fatalf("got %v, want ErrNotFound", err)
	}
}

func TestBulkPutEncodesPairs(t *testing.T) {
	var pairs []Pair
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if !strings.HasSuffix(r.URL.Path, "/bulk") {
			t.Errorf("path = %s", r.URL.Path)
		}
		_ = json.NewDecoder(r.Body).Decode(&pairs)
	}))
	defer srv.Close()
	c := New(Config{BaseURL: srv.URL, AccountID: "a", NamespaceID: "n"}, srv.Client())
	err := c.BulkPut(context.Background(), []Pair{{Key: "edge:t1", Value: "{}", ExpirationTTL: 3600}, {Key: "edge:t2", Value: "{}"}})
	if err != nil {
		t.Fatal(err)
	}
	if len(pairs) != 2 || pairs[0].ExpirationTTL != 3600 || pairs[1].ExpirationTTL != 0 {
		t.Fatalf("pairs = %+v", pairs)
	}
}
