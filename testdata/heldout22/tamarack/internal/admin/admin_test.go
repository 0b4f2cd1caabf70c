package admin

import (
	"bytes"
	"context"
	"strings"
	"testing"
	"time"

	"example.com/tamarack/internal/platform/kvrest"
)

// fakeAPI records bulk writes and serves keys from a slice.
type fakeAPI struct {
	bulks  [][]kvrest.Pair
	values map[string]string
	keys   []string
}

func (f *fakeAPI) PutValue(_ context.Context, key, value string, _ time.Duration) error {
	f.values[key] = value
	return nil
}

func (f *fakeAPI) PutValueAt(_ context.Context, key, value string, _ int64) error {
	f.values[key] = value
	return nil
}

func (f *fakeAPI) GetValue(_ context.Context, key string) (string, error) {
	v, ok := f.values[key]
	if !ok {
		return "", kvrest.ErrNotFound
	}
	return v, nil
}

func (f *fakeAPI) ListKeys(_ context.Context, _, _ string, _ int) (kvrest.KeyPage, error) {
	page := kvrest.KeyPage{}
	for _, k := range f.keys {
		page.Keys = append(page.Keys, kvrest.KeyInfo{Name: k})
	}
	return page, nil
}

func (f *fakeAPI) BulkPut(_ context.Context, pairs []kvrest.Pair) (kvrest.BulkResult, error) {
	f.bulks = append(f.bulks, pairs)
	return kvrest.BulkResult{SuccessfulKeyCount: len(pairs)}, nil
}

func TestImportLineupAndExport(t *testing.T) {
	api := &fakeAPI{values: map[string]string{}, keys: []string{"lineup:added:sat:main:x"}}
	var out bytes.Buffer
	in := strings.NewReader("sat,main,Band A,20:00,21:00\nsun,lakeside,Band B,18:00,19:00\n")
	tool := New(api, WithInput(in), WithOutput(&out))
	ctx := context.Background()
	if err := tool.Run(ctx, "import-lineup", nil); err != nil {
		t.Fatal(err)
	}
	if len(api.bulks) != 1 || len(api.bulks[0]) != 2 {
		t.Errorf("bulks = %v", api.bulks)
	}
	if err := tool.Run(ctx, "export-keys", []string{"lineup:"}); err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(out.String(), "lineup:added:sat:main:x") {
		t.Errorf("output = %q", out.String())
	}
	if err := tool.Run(ctx, "nope", nil); err == nil {
		t.Error("unknown command accepted")
	}
}
