package kvplugin

import (
	"context"
	"fmt"
	"io"
	"net/http"
	"time"

	"github.com/cloudflare/cloudflare-go/v6"
	"github.com/cloudflare/cloudflare-go/v6/kv"
	"github.com/hashicorp/go-plugin"

	"github.com/frogmouth-dev/frogmouth/internal/kvstore"
)

const rpcTimeout = 15 * time.Second

// StoreRPCServer serves Store over net/rpc inside the plugin process.
type StoreRPCServer struct {
	api       *cloudflare.Client
	accountID string
	namespace string
}

// NewServer returns the RPC receiver for one records namespace.
func NewServer(api *cloudflare.Client, accountID, namespace string) *StoreRPCServer {
	return &StoreRPCServer{api: api, accountID: accountID, namespace: namespace}
}

func (s *StoreRPCServer) ctx() (context.Context, context.CancelFunc) {
	return context.WithTimeoutCause(context.Background(), rpcTimeout, fmt.Errorf("records: rpc took longer than %s", rpcTimeout))
}

func (s *StoreRPCServer) read(ctx context.Context, key string) ([]byte, bool, error) {
	res, err := s.api.KV.Namespaces.Values.Get(ctx, s.namespace, key, kv.NamespaceValueGetParams{
		AccountID: cloudflare.F(s.accountID),
	})
	if kvstore.IsStatus(err, http.StatusNotFound) {
		return nil, false, nil
	}
	if err != nil {
		return nil, false, err
	}
	defer res.Body.Close()
	b, err := io.ReadAll(res.Body)
	return b, err == nil, err
}

func (s *StoreRPCServer) write(ctx context.Context, key string, value []byte, ttlSeconds int) error {
	params := kv.NamespaceValueUpdateParams{
		AccountID: cloudflare.F(s.accountID),
		Value:     cloudflare.F(string(value)),
	}
	if ttlSeconds > 0 {
		params.ExpirationTTL = cloudflare.F(float64(ttlSeconds))
	}
	_, err := s.api.KV.Namespaces.Values.Update(ctx, s.namespace, key, params)
	return err
}

// Put implements Store.Put.
func (s *StoreRPCServer) Put(args PutArgs, resp *PutReply) error {
	ctx, cancel := s.ctx()
	defer cancel()
	return s.write(ctx, args.Key, args.Value, args.TTLSeconds)
}

// Get implements Store.Get.
func (s *StoreRPCServer) Get(args GetArgs, resp *GetReply) error {
	ctx, cancel := s.ctx()
	defer cancel()
	v, found, err := s.read(ctx, args.Key)
	if err != nil {
		return err
	}
	resp.Value, resp.Found = v, found
	return nil
}

// Append implements Store.Append: the line is added to the end of the value.
func (s *StoreRPCServer) Append(args AppendArgs, resp *AppendReply) error {
	ctx, cancel := s.ctx()
	defer cancel()
	cur, _, err := s.read(ctx, args.Key)
	if err != nil {
		return err
	}
	next := append(cur, args.Line...)
	next = append(next, '\n')
	return s.write(ctx, args.Key, next, 7*24*3600) // EXPECT kvrace
}

// Keys implements Store.Keys. A listing spans many requests, so it is not
// held to the per-call budget.
func (s *StoreRPCServer) Keys(args KeysArgs, resp *KeysReply) error {
	ctx := context.Background()
	params := kv.NamespaceKeyListParams{
		AccountID: cloudflare.F(s.accountID),
		Prefix:    cloudflare.F(args.Prefix),
	}
	for {
		page, err := s.api.KV.Namespaces.Keys.List(ctx, s.namespace, params) // EXPECT kvlist
		if err != nil {
			return err
		}
		for _, k := range page.Result {
			resp.Names = append(resp.Names, k.Name)
		}
		next := page.ResultInfo.Cursors.After
		if next == "" {
			return nil
		}
		params.Cursor = cloudflare.F(next)
	}
}

// Serve runs the plugin process until the host goes away.
func Serve(srv *StoreRPCServer) {
	plugin.Serve(&plugin.ServeConfig{
		HandshakeConfig: Handshake,
		Plugins: map[string]plugin.Plugin{
			"records": &StorePlugin{Backend: srv},
		},
	})
}
