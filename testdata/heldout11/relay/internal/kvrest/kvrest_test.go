package kvrest

import (
	"context"
	"encoding/json"
	"errors"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"
)

func TestClientAgainstFakeAPI(t *testing.T) {
	values := map[string]string{}
	var lastTTL string
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		const base = "/accounts/acct/storage/kv/namespaces/ns"
		switch {
		case strings.HasPrefix(r.URL.Path, base+"/values/"):
			key := strings.TrimPrefix(r.URL.Path, base+"/values/")
			switch r.Method {
			case http.MethodPut:
				b, _ := io.ReadAll(r.Body)
				values[key] = string(b)
				lastTTL = r.URL.Query().Get("expiration_ttl")
			case http.MethodGet:
				v, ok := values[key]
				if !ok {
					w.WriteHeader(http.StatusNotFound)
					_, _ = io.WriteString(w, `{"success":false,"errors":[{"code":10009,"message":"get: key not found"}]}`)
					return
				}
				_, _ = io.WriteString(w, v)
			}
		case r.URL.Path == base+"/keys":
			res := map[string]any{"result": []map[string]string{{"name": "push:dev:u:1"}}, "result_info": map[string]string{"cursor": ""}}
			_ = json.NewEncoder(w).Encode(res)
		default:
			http.NotFound(w, r)
		}
	}))
	defer srv.Close()

	c := &Client{HTTP: srv.Client(), Base: srv.URL, AccountID: "acct", NamespaceID: "ns", Token: "t"}
	ctx := context.Background()
	if _, err := c.Get(ctx, "missing"); !errors.Is(err, ErrNotFound) {
		t.Fatalf("Get missing: %v", err)
	}
	if err := c.Put(ctx, "k", []byte("v"), 2*time.Minute); err != nil {
		t.Fatal(err)
	}
	if lastTTL != "120" {
		t.Fatalf("expiration_ttl = %q", lastTTL)
	}
	if v, err := c.Get(ctx, "k"); err != nil || string(v) != "v" {
		t.Fatalf("Get = %q, %v", v, err)
	}
	keys, err := c.Keys(ctx, "push:dev:u:", 3)
	if err != nil || len(keys) != 1 {
		t.Fatalf("Keys = %v, %v", keys, err)
	}
}
