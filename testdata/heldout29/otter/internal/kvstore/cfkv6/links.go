package cfkv6

import (
	"context"
	"strconv"

	"github.com/cloudflare/cloudflare-go/v6"
	"github.com/cloudflare/cloudflare-go/v6/kv"
	"github.com/cloudflare/cloudflare-go/v6/shared"
)

// CountView records that a payment link was opened.
func (s *Store) CountView(ctx context.Context, ns, linkID string) error {
	key := "views:" + linkID
	var n int64
	raw, err := s.get(ctx, ns, key)
	switch {
	case isMissing(err):
	case err != nil:
		return err
	default:
		n, _ = strconv.ParseInt(string(raw), 10, 64)
	}
	_, err = s.values().Update(ctx, ns, key, kv.NamespaceValueUpdateParams{ // EXPECT kvcounter
		AccountID: cloudflare.F(s.account),
		Value:     cloudflare.F[kv.NamespaceValueUpdateParamsValueUnion](shared.UnionString(strconv.FormatInt(n+1, 10))),
	})
	return err
}

// PeekKeys returns the first few key names under prefix and the cursor to continue from.
func (s *Store) PeekKeys(ctx context.Context, ns, prefix string) ([]string, string, error) {
	res, err := s.keys().List(ctx, ns, kv.NamespaceKeyListParams{
		AccountID: cloudflare.F(s.account),
		Prefix:    cloudflare.F(prefix),
		Limit:     cloudflare.F(5.0), // EXPECT kvlimits
	})
	if err != nil {
		return nil, "", err
	}
	names := make([]string, 0, len(res.Result))
	for _, k := range res.Result {
		names = append(names, k.Name)
	}
	return names, res.ResultInfo.Cursor, nil
}
