package kvv6

import (
	"context"
	"io"
	"log/slog"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/cloudflare/cloudflare-go/v6/kv"
	"github.com/cloudflare/cloudflare-go/v6/option"
)

func testAdapter() (*Adapter, *[]kv.NamespaceValueUpdateParams, map[string]string) {
	var writes []kv.NamespaceValueUpdateParams
	data := map[string]string{}
	a := &Adapter{
		cfg: Config{AccountID: "acc", NamespaceID: "ns"},
		log: slog.New(slog.NewTextHandler(io.Discard, nil)),
		update: func(_ context.Context, _, key string, p kv.NamespaceValueUpdateParams, _ ...option.RequestOption) (*kv.NamespaceValueUpdateResponse, error) {
			writes = append(writes, p)
			data[key] = "x"
			return &kv.NamespaceValueUpdateResponse{}, nil
		},
		get: func(_ context.Context, _, key string, _ kv.NamespaceValueGetParams, _ ...option.RequestOption) (*http.Response, error) {
			return &http.Response{StatusCode: 200, Body: io.NopCloser(strings.NewReader(data[key]))}, nil
		},
	}
	return a, &writes, data
}

func TestSetPassesSeconds(t *testing.T) {
	a, writes, _ := testAdapter()
	if err := a.Set(context.Background(), "k", []byte("v"), 2*time.Minute); err != nil {
		t.Fatal(err)
	}
	if got := (*writes)[0].ExpirationTTL.Value; got != 120 {
		t.Fatalf("expiration_ttl = %v, want 120", got)
	}
}

func TestSetWithoutTTLOmitsExpiration(t *testing.T) {
	a, writes, _ := testAdapter()
	if err := a.Set(context.Background(), "k", []byte("v"), 0); err != nil {
		t.Fatal(err)
	}
	if (*writes)[0].ExpirationTTL.Present {
		t.Fatal("expiration_ttl should not be sent")
	}
}

func TestSetUntilUsesUnixSeconds(t *testing.T) {
	a, writes, _ := testAdapter()
	at := time.Date(2030, 1, 1, 0, 0, 0, 0, time.UTC)
	if err := a.SetUntil(context.Background(), "k", []byte("v"), at); err != nil {
		t.Fatal(err)
	}
	if got := (*writes)[0].Expiration.Value; got != float64(at.Unix()) {
		t.Fatalf("expiration = %v, want %d", got, at.Unix())
	}
}

func TestKeysArePathEscaped(t *testing.T) {
	a, _, data := testAdapter()
	_ = a.Set(context.Background(), "device:a/b", []byte("v"), time.Hour)
	if _, ok := data["device:a%2Fb"]; !ok {
		t.Fatalf("stored keys: %v", data)
	}
}
