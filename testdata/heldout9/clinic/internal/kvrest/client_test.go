package kvrest_test

import (
	"context"
	"io"
	"net/http"
	"testing"

	"example.com/clinic/internal/kvrest"
	"example.com/clinic/internal/kvrest/kvresttest"
)

func TestPutGetList(t *testing.T) {
	srv := kvresttest.New()
	defer srv.Close()
	c := kvrest.New("acct", "ns", "tok", kvrest.WithBaseURL(srv.URL))
	ctx := context.Background()

	if err := c.Put(ctx, "reminder:1", []byte("hello"), 3600); err != nil {
		t.Fatal(err)
	}
	if srv.TTLs["reminder:1"] != 3600 {
		t.Fatalf("ttl = %d", srv.TTLs["reminder:1"])
	}
	resp, err := c.Get(ctx, "reminder:1")
	if err != nil {
		t.Fatal(err)
	}
	body, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if resp.StatusCode != http.StatusOK || string(body) != "hello" {
		t.Fatalf("get = %d %q", resp.StatusCode, body)
	}
	res, err := c.ListKeys(ctx, "reminder:", "", 100)
	if err != nil || len(res.Keys) != 1 || !res.ListComplete {
		t.Fatalf("list = %+v, %v", res, err)
	}
	if err := c.BulkWrite(ctx, []kvrest.Pair{{Key: "a", Value: "1"}, {Key: "b", Value: "2"}}); err != nil {
		t.Fatal(err)
	}
	if v, ok := srv.Value("b"); !ok || v != "2" {
		t.Fatalf("bulk value b = %q, %v", v, ok)
	}
}
