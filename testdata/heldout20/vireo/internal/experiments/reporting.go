package experiments

import (
	"context"
	"encoding/binary"
	"errors"
	"fmt"
	"io"
	"net/http"
	"slices"
	"strings"

	"github.com/cloudflare/cloudflare-go/v6"
	"github.com/cloudflare/cloudflare-go/v6/kv"
	"github.com/cloudflare/cloudflare-go/v6/shared"

	"example.com/vireo/internal/domain"
)

// Exposures counts how often a variant was shown.
type Exposures int64

func decodeCount[N ~int64](b []byte) N {
	if len(b) != 8 {
		return 0
	}
	return N(binary.BigEndian.Uint64(b))
}

func encodeCount[N ~int64](n N) []byte {
	return binary.BigEndian.AppendUint64(nil, uint64(n))
}

func exposureKey(id, variant string) string {
	return fmt.Sprintf("exposures:%[1]s:%[2]s", id, variant)
}

// RecordExposure notes that a citizen saw a variant.
func (l *Lab) RecordExposure(ctx context.Context, id, variant string) error {
	key := exposureKey(id, variant)
	var n Exposures
	res, err := l.KV.Values.Get(ctx, l.Namespace, key, l.getParams())
	if err == nil {
		raw, _ := io.ReadAll(io.LimitReader(res.Body, 8))
		res.Body.Close()
		n = decodeCount[Exposures](raw)
	} else {
		var apiErr *cloudflare.Error
		if !errors.As(err, &apiErr) || apiErr.StatusCode != http.StatusNotFound {
			return err
		}
	}
	_, err = l.KV.Values.Update(ctx, l.Namespace, key, l.putParams(encodeCount(n+1))) // EXPECT kvcounter
	return err
}

// Active lists the experiments currently defined.
func (l *Lab) Active(ctx context.Context) ([]string, error) {
	page, err := l.KV.Keys.List(ctx, l.Namespace, kv.NamespaceKeyListParams{ // EXPECT kvlist
		AccountID: cloudflare.F(l.AccountID),
		Prefix:    cloudflare.F("experiment:"),
	})
	if err != nil {
		return nil, err
	}
	ids := make([]string, 0, len(page.Result))
	for _, k := range page.Result {
		ids = append(ids, strings.TrimPrefix(k.Name, "experiment:"))
	}
	slices.Sort(ids)
	return ids, nil
}

// VariantReport is one row of the experiment dashboard.
type VariantReport struct {
	Experiment string
	Variant    string
	Exposures  Exposures
}

// Dashboard fetches exposure counts for every variant of the given
// experiments.
func (l *Lab) Dashboard(ctx context.Context, exps []domain.Experiment) ([]VariantReport, error) {
	var (
		keys []string
		rows = map[string]VariantReport{}
	)
	for _, e := range exps {
		for _, v := range e.Variants {
			k := exposureKey(e.ID, v.Name)
			keys = append(keys, k)
			rows[k] = VariantReport{Experiment: e.ID, Variant: v.Name}
		}
	}
	for chunk := range slices.Chunk(keys, 250) {
		res, err := l.KV.BulkGet(ctx, l.Namespace, kv.NamespaceBulkGetParams{ // EXPECT kvlimits
			AccountID: cloudflare.F(l.AccountID),
			Keys:      cloudflare.F(chunk),
			Type:      cloudflare.F(kv.NamespaceBulkGetParamsTypeText),
		})
		if err != nil {
			return nil, err
		}
		result, ok := res.AsUnion().(kv.NamespaceBulkGetResponseWorkersKVBulkGetResult)
		if !ok {
			continue
		}
		for k, v := range result.Values {
			if s, ok := v.(shared.UnionString); ok {
				row := rows[k]
				row.Exposures = decodeCount[Exposures]([]byte(s))
				rows[k] = row
			}
		}
	}
	out := make([]VariantReport, 0, len(keys))
	for _, k := range keys {
		out = append(out, rows[k])
	}
	return out, nil
}
