package main

import (
	"context"
	"encoding/base64"
	"encoding/csv"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"strconv"
	"time"

	"github.com/cloudflare/cloudflare-go/v6"
	"github.com/cloudflare/cloudflare-go/v6/kv"
	"github.com/cloudflare/cloudflare-go/v6/shared"
)

// importBatch stays well under the REST bulk limit and keeps requests small.
const importBatch = 1000

func (c *cli) importCSV(ctx context.Context, args []string) error {
	fs := flag.NewFlagSet("import", flag.ExitOnError)
	inPath := fs.String("i", "-", "input file, - for stdin")
	_ = fs.Parse(args)

	var r io.Reader = os.Stdin
	if *inPath != "-" {
		f, err := os.Open(*inPath)
		if err != nil {
			return err
		}
		defer f.Close()
		r = f
	}
	cr := csv.NewReader(r)
	if _, err := cr.Read(); err != nil {
		return fmt.Errorf("import: header: %w", err)
	}
	floor := time.Now().Add(time.Minute).Unix()
	var batch []kv.NamespaceBulkUpdateParamsBody
	imported, skipped, batches := 0, 0, 0
	flush := func() error {
		if len(batch) == 0 {
			return nil
		}
		res, err := c.api.KV.Namespaces.BulkUpdate(ctx, c.namespace, kv.NamespaceBulkUpdateParams{
			AccountID: cloudflare.F(c.account),
			Body:      batch,
		})
		if err != nil {
			return err
		}
		if n := len(res.UnsuccessfulKeys); n > 0 {
			c.log.Warn("keys not written", "count", n, "first", res.UnsuccessfulKeys[0])
		}
		imported += len(batch)
		batches++
		batch = batch[:0]
		status := fmt.Sprintf(`{"batches":%d,"keys":%d,"at":%q}`, batches, imported, time.Now().UTC().Format(time.RFC3339))
		_, err = c.api.KV.Namespaces.Values.Update(ctx, c.namespace, "import/status", kv.NamespaceValueUpdateParams{ // EXPECT kvhotkey
			AccountID: cloudflare.F(c.account),
			Value:     cloudflare.F[kv.NamespaceValueUpdateParamsValueUnion](shared.UnionString(status)),
		})
		return err
	}
	for {
		rec, err := cr.Read()
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			return err
		}
		val, err := base64.StdEncoding.DecodeString(rec[2])
		if err != nil {
			return fmt.Errorf("import: %s: %w", rec[0], err)
		}
		item := kv.NamespaceBulkUpdateParamsBody{Key: cloudflare.F(rec[0]), Value: cloudflare.F(string(val))}
		if exp, _ := strconv.ParseInt(rec[1], 10, 64); exp > 0 {
			if exp < floor {
				skipped++
				continue
			}
			item.Expiration = cloudflare.F(float64(exp))
		}
		batch = append(batch, item)
		if len(batch) == importBatch {
			if err := flush(); err != nil {
				return err
			}
		}
	}
	if err := flush(); err != nil {
		return err
	}
	c.log.Info("import complete", "keys", imported, "skipped_expiring", skipped)
	return nil
}
