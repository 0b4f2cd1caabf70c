package search

import (
	"context"
	"strings"
	"testing"

	"example.com/storefront/internal/config"
	"example.com/storefront/internal/kvrest"
)

type memKV map[string]string

func (m memKV) GetValue(_ context.Context, key string) (string, error) {
	v, ok := m[key]
	if !ok {
		return "", kvrest.ErrNotFound
	}
	return v, nil
}

func (m memKV) PutValue(_ context.Context, key, value string, _ int) error {
	m[key] = value
	return nil
}

func (m memKV) DeleteValue(_ context.Context, key string) error {
	delete(m, key)
	return nil
}

func (m memKV) ListKeys(context.Context, string, string, int) ([]string, string, error) {
	return nil, "", nil
}

type stubIndex []string

func (s stubIndex) Complete(context.Context, string, int) ([]string, error) { return s, nil }

func TestSuggestFillsCache(t *testing.T) {
	kv := memKV{}
	svc := New(kv, stubIndex{"boots", "bow tie"}, config.Default().Search)
	got, err := svc.Suggest(context.Background(), "bo")
	if err != nil || len(got) != 2 {
		t.Fatalf("suggest: %v %v", got, err)
	}
	if kv["suggest:bo"] != "boots\nbow tie" {
		t.Fatalf("kv = %v", kv)
	}
}

func TestLearnDeduplicates(t *testing.T) {
	kv := memKV{}
	svc := New(kv, stubIndex{}, config.Default().Search)
	for _, q := range []string{"Linen shirt", "linen shirt", "linen trousers"} {
		if err := svc.Learn(context.Background(), q); err != nil {
			t.Fatal(err)
		}
	}
	if got := strings.Split(kv["suggest:learned:li"], "\n"); len(got) != 2 {
		t.Fatalf("learned = %q", got)
	}
}
