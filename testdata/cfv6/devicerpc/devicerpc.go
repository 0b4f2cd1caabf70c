// Package devicerpc is a gRPC-style service whose handlers, laid out as
// protoc-gen-go-grpc writes them, call the server through its interface;
// the server that implements it keeps device revocations in KV.
package devicerpc

import (
	"context"

	"github.com/cloudflare/cloudflare-go/v6"
	"github.com/cloudflare/cloudflare-go/v6/kv"
	"github.com/cloudflare/cloudflare-go/v6/shared"
)

type RevokeRequest struct{ DeviceID, Reason string }

type Empty struct{}

type DeviceServer interface {
	RevokeDevice(context.Context, *RevokeRequest) (*Empty, error)
}

type server struct {
	client *cloudflare.Client
	ns     string
}

var _ DeviceServer = (*server)(nil)

func (s *server) RevokeDevice(ctx context.Context, req *RevokeRequest) (*Empty, error) { // want RevokeDevice:"kvsession"
	_, err := s.client.KV.Namespaces.Values.Update(ctx, s.ns, "revoked:device:"+req.DeviceID, kv.NamespaceValueUpdateParams{ // want `revocation kept in KV`
		AccountID: cloudflare.F("acct"),
		Value:     cloudflare.F[kv.NamespaceValueUpdateParamsValueUnion](shared.UnionString(req.Reason)),
	})
	return &Empty{}, err
}

// Quiet: the handler calls whichever server is registered; the
// revocation is reported inside the one that does it.
func _Device_RevokeDevice_Handler(srv any, ctx context.Context, dec func(any) error) (any, error) { // want _Device_RevokeDevice_Handler:"kvsession"
	in := new(RevokeRequest)
	if err := dec(in); err != nil {
		return nil, err
	}
	return srv.(DeviceServer).RevokeDevice(ctx, in)
}
