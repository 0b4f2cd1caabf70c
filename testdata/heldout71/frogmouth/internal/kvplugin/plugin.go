// Package kvplugin is the out-of-process record store used by the sandbox
// host. The host talks to it over go-plugin's net/rpc protocol; the plugin
// process is the only one that holds the API token of the records account.
package kvplugin

import (
	"net/rpc"
	"os/exec"

	"github.com/hashicorp/go-plugin"
)

// Handshake must match between the host and the plugin binary.
var Handshake = plugin.HandshakeConfig{
	ProtocolVersion:  2,
	MagicCookieKey:   "FROGMOUTH_KV_PLUGIN",
	MagicCookieValue: "b5c1a0d2-7f0e-4c53-9a55-3f1e3f7f0c11",
}

// PluginMap is the set of plugins the host can dispense.
var PluginMap = map[string]plugin.Plugin{
	"records": &StorePlugin{},
}

// Store is what the records plugin offers the host.
type Store interface {
	Put(key string, value []byte, ttlSeconds int) error
	Get(key string) ([]byte, bool, error)
	Append(key, line string) error
	Keys(prefix string) ([]string, error)
}

type (
	PutArgs struct {
		Key        string
		Value      []byte
		TTLSeconds int
	}
	PutReply struct{}
	GetArgs  struct{ Key string }
	GetReply struct {
		Value []byte
		Found bool
	}
	AppendArgs  struct{ Key, Line string }
	AppendReply struct{}
	KeysArgs    struct{ Prefix string }
	KeysReply   struct{ Names []string }
)

// StorePlugin plugs the store into go-plugin. Backend is only set in the
// plugin process.
type StorePlugin struct {
	Backend *StoreRPCServer
}

// Server returns the RPC receiver served in the plugin process.
func (p *StorePlugin) Server(*plugin.MuxBroker) (interface{}, error) { return p.Backend, nil }

// Client returns the host-side stub.
func (*StorePlugin) Client(_ *plugin.MuxBroker, c *rpc.Client) (interface{}, error) {
	return &StoreRPC{client: c}, nil
}

// StoreRPC is the host-side stub of Store.
type StoreRPC struct{ client *rpc.Client }

var _ Store = (*StoreRPC)(nil)

func (c *StoreRPC) Put(key string, value []byte, ttlSeconds int) error {
	var reply PutReply
	return c.client.Call("Plugin.Put", PutArgs{Key: key, Value: value, TTLSeconds: ttlSeconds}, &reply)
}

func (c *StoreRPC) Get(key string) ([]byte, bool, error) {
	var reply GetReply
	err := c.client.Call("Plugin.Get", GetArgs{Key: key}, &reply)
	return reply.Value, reply.Found, err
}

func (c *StoreRPC) Append(key, line string) error {
	var reply AppendReply
	return c.client.Call("Plugin.Append", AppendArgs{Key: key, Line: line}, &reply)
}

func (c *StoreRPC) Keys(prefix string) ([]string, error) {
	var reply KeysReply
	err := c.client.Call("Plugin.Keys", KeysArgs{Prefix: prefix}, &reply)
	return reply.Names, err
}

// Launch starts the plugin binary at path and dispenses its store. The
// returned function stops the plugin process.
func Launch(path string) (Store, func(), error) {
	client := plugin.NewClient(&plugin.ClientConfig{
		HandshakeConfig:  Handshake,
		Plugins:          PluginMap,
		Cmd:              exec.Command(path),
		AllowedProtocols: []plugin.Protocol{plugin.ProtocolNetRPC},
	})
	proto, err := client.Client()
	if err != nil {
		client.Kill()
		return nil, nil, err
	}
	raw, err := proto.Dispense("records")
	if err != nil {
		client.Kill()
		return nil, nil, err
	}
	return raw.(Store), client.Kill, nil
}
