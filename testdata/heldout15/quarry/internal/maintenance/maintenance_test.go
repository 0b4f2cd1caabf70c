package maintenance

import (
	"context"
	"encoding/json"
	"fmt"
	"strings"
	"testing"
	"time"

	"example.com/quarry/internal/config"
	"example.com/quarry/internal/storage"
	"example.com/quarry/internal/storage/memstore"
)

func TestImportPruneCensus(t *testing.T) {
	ctx := context.Background()
	st := memstore.New()
	m := New(st, config.Admin{PageBudget: 5, PageSize: 50})
	var recs []Record
	for i := 0; i < 250; i++ {
		recs = append(recs, Record{Key: fmt.Sprintf("tmp/%04d", i), Value: json.RawMessage(`{}`)})
	}
	n, err := m.Import(ctx, recs, time.Hour)
	if err != nil || n != 250 {
		t.Fatalf("import %d %v", n, err)
	}
	if last, _ := st.Get(ctx, importProgressKey); string(last) != "tmp/0249" {
		t.Fatalf("resume point %q", last)
	}
	counts, partial, err := m.Census(ctx, []string{"tmp/"})
	if err != nil || counts["tmp/"] != 250 || len(partial) != 0 {
		t.Fatalf("census %v %v %v", counts, partial, err)
	}
	_ = st.Put(ctx, "keep/a", []byte("x"), storage.PutOptions{})
	rep, err := m.Prune(ctx, "keep/", func(k string) bool { return strings.HasSuffix(k, "/a") })
	if err != nil || rep.Deleted != 0 || rep.Seen != 1 {
		t.Fatalf("prune %+v %v", rep, err)
	}
	if _, err := m.Prune(ctx, "", nil); err == nil {
		t.Fatal("empty prefix accepted")
	}
	if _, err := m.Import(ctx, []Record{{Key: ".."}}, 0); err == nil {
		t.Fatal("bad key accepted")
	}
}
