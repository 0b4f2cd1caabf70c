package importer_test

import (
	"context"
	"strings"
	"testing"

	"example.com/shortlinks/internal/config"
	"example.com/shortlinks/internal/importer"
	"example.com/shortlinks/internal/store/memstore"
)

const upload = `slug,target,expires
spring-sale,https://shop.example.com/spring
docs,https://docs.example.com/
bad
old,https://example.com/old,2001-01-01T00:00:00Z
`

func TestParseAndRun(t *testing.T) {
	st := memstore.New()
	cfg := config.Default().Import
	cfg.Workers = 2
	im := importer.New(st, cfg)
	rows, err := im.Parse(strings.NewReader(upload))
	if len(rows) != 2 {
		t.Fatalf("parsed %d rows", len(rows))
	}
	if err == nil || !strings.Contains(err.Error(), "line 4") {
		t.Fatalf("expected row errors, got %v", err)
	}
	ctx := context.Background()
	if err := im.Run(ctx, "job1", "acct_1", rows); err != nil {
		t.Fatal(err)
	}
	for _, k := range []string{"link:spring-sale", "link:docs", "import:job1:done"} {
		if _, ok, _ := st.Get(ctx, k); !ok {
			t.Errorf("missing %s", k)
		}
	}
	job, err := im.Status(ctx, "job1")
	if err != nil || job.Total != 2 || len(job.Failed) != 0 {
		t.Fatalf("job = %+v, %v", job, err)
	}
}

func TestParseRowLimit(t *testing.T) {
	cfg := config.Default().Import
	cfg.MaxRows = 1
	im := importer.New(memstore.New(), cfg)
	if _, err := im.Parse(strings.NewReader("a1b,https://a.example\nc2d,https://c.example\n")); err == nil {
		t.Fatal("row limit not enforced")
	}
}
