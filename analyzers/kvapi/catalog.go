package kvapi

import (
	"go/types"
	"slices"
	"strings"
	"sync"

	"golang.org/x/tools/go/ssa"
)

// Role is what a KV operation does to the store.
type Role int

const (
	Get Role = iota + 1
	Put
	Delete
	List
	BulkPut
	BulkGet
	BulkDelete
)

var roleNames = [...]string{Get: "get", Put: "put", Delete: "delete", List: "list",
	BulkPut: "bulk put", BulkGet: "bulk get", BulkDelete: "bulk delete"}

func (r Role) String() string { return roleNames[r] }

// Operand names a part of a KV operation: its key, its TTL, its list limit...
type Operand int

const (
	Namespace Operand = iota
	Key
	Value
	TTL        // relative expiration, seconds from now
	Expiration // absolute expiration, seconds since the Unix epoch
	CacheTTL   // edge cache lifetime of a get, seconds
	Metadata
	Limit
	Prefix
	Cursor
	Pairs // the slice of key-value pairs of a bulk write
	Keys  // the slice of keys of a bulk get or delete
	numOperands
)

var operandNames = [...]string{Namespace: "namespace", Key: "key", Value: "value",
	TTL: "ExpirationTTL", Expiration: "Expiration", CacheTTL: "CacheTTL", Metadata: "Metadata",
	Limit: "Limit", Prefix: "Prefix", Cursor: "Cursor", Pairs: "pairs", Keys: "keys"}

func (o Operand) String() string { return operandNames[o] }

// PairFields names the fields of one pair in a bulk write; every SDK uses
// the same names (WorkersKVPair, NamespaceBulkUpdateParamsBody).
var PairFields = map[Operand]string{
	Key: "Key", Value: "Value", TTL: "ExpirationTTL", Expiration: "Expiration", Metadata: "Metadata",
}

// Arg locates an operand in a call: argument Index (Receiver for the
// receiver), or the named Field of that argument when Field is set.
type Arg struct {
	Index int
	Field string
}

// Receiver is the Index of a method's receiver.
const Receiver = -1

func arg(i int) Arg                { return Arg{Index: i} }
func field(i int, name string) Arg { return Arg{Index: i, Field: name} }

var recv = Arg{Index: Receiver}

// A Method is one row of the catalog: an SDK function or method, its role,
// and where its operands are.
type Method struct {
	Pkg      string // import path; "/vN" matches any major version from 2 on
	Recv     string // receiver's named type; "" for a function
	Name     string
	Role     Role
	Operands map[Operand]Arg
}

// entryName is the method as an entry of -kvapi.interfaces names it,
// PKG.TYPE.METHOD.
func (m *Method) entryName() string { return m.Pkg + "." + m.Recv + "." + m.Name }

// FullName is the method's qualified name, as in "(*kv.Namespace).PutString".
func (m *Method) FullName() string {
	pkg := m.Pkg[strings.LastIndex(m.Pkg, "/")+1:]
	if m.Recv == "" {
		return pkg + "." + m.Name
	}
	return "(" + pkg + "." + m.Recv + ")." + m.Name
}

type ops = map[Operand]Arg

const (
	syumaiOld = "github.com/syumai/workers/cloudflare"    // up to v0.27
	syumaiKV  = "github.com/syumai/workers/cloudflare/kv" // from v0.28
	cfV0      = "github.com/cloudflare/cloudflare-go"
	cfKV      = "github.com/cloudflare/cloudflare-go/vN/kv"
)

// catalog is every KV operation kvlint knows, one row per SDK method.
var catalog = []*Method{
	// github.com/syumai/workers, inside a Worker: the namespace is the receiver.
	{syumaiOld, "KVNamespace", "GetString", Get, ops{Namespace: recv, Key: arg(0), CacheTTL: field(1, "CacheTTL")}},
	{syumaiOld, "KVNamespace", "GetReader", Get, ops{Namespace: recv, Key: arg(0), CacheTTL: field(1, "CacheTTL")}},
	{syumaiOld, "KVNamespace", "PutString", Put, ops{Namespace: recv, Key: arg(0), Value: arg(1), TTL: field(2, "ExpirationTTL"), Expiration: field(2, "Expiration")}},
	{syumaiOld, "KVNamespace", "PutReader", Put, ops{Namespace: recv, Key: arg(0), Value: arg(1), TTL: field(2, "ExpirationTTL"), Expiration: field(2, "Expiration")}},
	{syumaiOld, "KVNamespace", "Delete", Delete, ops{Namespace: recv, Key: arg(0)}},
	{syumaiOld, "KVNamespace", "List", List, ops{Namespace: recv, Limit: field(0, "Limit"), Prefix: field(0, "Prefix"), Cursor: field(0, "Cursor")}},

	{syumaiKV, "Namespace", "GetString", Get, ops{Namespace: recv, Key: arg(0), CacheTTL: field(1, "CacheTTL")}},
	{syumaiKV, "Namespace", "GetReader", Get, ops{Namespace: recv, Key: arg(0), CacheTTL: field(1, "CacheTTL")}},
	{syumaiKV, "Namespace", "PutString", Put, ops{Namespace: recv, Key: arg(0), Value: arg(1), TTL: field(2, "ExpirationTTL"), Expiration: field(2, "Expiration")}},
	{syumaiKV, "Namespace", "PutReader", Put, ops{Namespace: recv, Key: arg(0), Value: arg(1), TTL: field(2, "ExpirationTTL"), Expiration: field(2, "Expiration")}},
	{syumaiKV, "Namespace", "Delete", Delete, ops{Namespace: recv, Key: arg(0)}},
	{syumaiKV, "Namespace", "List", List, ops{Namespace: recv, Limit: field(0, "Limit"), Prefix: field(0, "Prefix"), Cursor: field(0, "Cursor")}},

	// cloudflare-go v0, current names: operands travel in a params struct.
	{cfV0, "API", "GetWorkersKV", Get, ops{Namespace: field(2, "NamespaceID"), Key: field(2, "Key")}},
	{cfV0, "API", "WriteWorkersKVEntry", Put, ops{Namespace: field(2, "NamespaceID"), Key: field(2, "Key"), Value: field(2, "Value")}},
	{cfV0, "API", "WriteWorkersKVEntries", BulkPut, ops{Namespace: field(2, "NamespaceID"), Pairs: field(2, "KVs")}},
	{cfV0, "API", "DeleteWorkersKVEntry", Delete, ops{Namespace: field(2, "NamespaceID"), Key: field(2, "Key")}},
	{cfV0, "API", "DeleteWorkersKVEntries", BulkDelete, ops{Namespace: field(2, "NamespaceID"), Keys: field(2, "Keys")}},
	{cfV0, "API", "ListWorkersKVKeys", List, ops{Namespace: field(2, "NamespaceID"), Limit: field(2, "Limit"), Prefix: field(2, "Prefix"), Cursor: field(2, "Cursor")}},

	// cloudflare-go v0, older names: positional arguments.
	{cfV0, "API", "ReadWorkersKV", Get, ops{Namespace: arg(1), Key: arg(2)}},
	{cfV0, "API", "WriteWorkersKV", Put, ops{Namespace: arg(1), Key: arg(2), Value: arg(3)}},
	{cfV0, "API", "WriteWorkersKVBulk", BulkPut, ops{Namespace: arg(1), Pairs: arg(2)}},
	{cfV0, "API", "DeleteWorkersKV", Delete, ops{Namespace: arg(1), Key: arg(2)}},
	{cfV0, "API", "DeleteWorkersKVBulk", BulkDelete, ops{Namespace: arg(1), Keys: arg(2)}},
	{cfV0, "API", "ListWorkersKVs", List, ops{Namespace: arg(1)}},
	{cfV0, "API", "ListWorkersKVsWithOptions", List, ops{Namespace: arg(1), Limit: field(2, "Limit"), Prefix: field(2, "Prefix"), Cursor: field(2, "Cursor")}},

	// cloudflare-go v2 and later (generated): client.KV.Namespaces.Values.Get(ctx, ns, key, params).
	{cfKV, "NamespaceValueService", "Get", Get, ops{Namespace: arg(1), Key: arg(2)}},
	{cfKV, "NamespaceValueService", "Update", Put, ops{Namespace: arg(1), Key: arg(2), Value: field(3, "Value"), TTL: field(3, "ExpirationTTL"), Expiration: field(3, "Expiration"), Metadata: field(3, "Metadata")}},
	{cfKV, "NamespaceValueService", "Delete", Delete, ops{Namespace: arg(1), Key: arg(2)}},
	// A read of a key's metadata alone: a read of the key all the same.
	{cfKV, "NamespaceMetadataService", "Get", Get, ops{Namespace: arg(1), Key: arg(2)}},
	{cfKV, "NamespaceKeyService", "List", List, ops{Namespace: arg(1), Limit: field(2, "Limit"), Prefix: field(2, "Prefix"), Cursor: field(2, "Cursor")}},
	{cfKV, "NamespaceKeyService", "ListAutoPaging", List, ops{Namespace: arg(1), Limit: field(2, "Limit"), Prefix: field(2, "Prefix"), Cursor: field(2, "Cursor")}},
	{cfKV, "NamespaceKeyService", "BulkUpdate", BulkPut, ops{Namespace: arg(1), Pairs: field(2, "Body")}},
	{cfKV, "NamespaceKeyService", "BulkDelete", BulkDelete, ops{Namespace: arg(1), Keys: field(2, "Body")}},
	{cfKV, "NamespaceKeyService", "BulkGet", BulkGet, ops{Namespace: arg(1), Keys: field(2, "Keys")}},
	{cfKV, "NamespaceService", "BulkUpdate", BulkPut, ops{Namespace: arg(1), Pairs: field(2, "Body")}},
	// v3's bulk write, the only one of its writes that takes an expiration.
	// (Its Bulk.Delete sends no keys.)
	{cfKV, "NamespaceBulkService", "Update", BulkPut, ops{Namespace: arg(1), Pairs: field(2, "Body")}},
	{cfKV, "NamespaceService", "BulkDelete", BulkDelete, ops{Namespace: arg(1), Keys: field(2, "Body")}},
	{cfKV, "NamespaceService", "BulkGet", BulkGet, ops{Namespace: arg(1), Keys: field(2, "Keys")}},
}

// fieldHelpers are the generated SDKs' param.Field constructors
// (cloudflare.F(x), cloudflare.Int(x), ...): the value is their argument 0.
var fieldHelpers = map[string]bool{"F": true, "Int": true, "Float": true, "String": true, "Bool": true, "Raw": true}

const cfRoot = "github.com/cloudflare/cloudflare-go/vN"

// sdkPackages are the import paths whose presence makes a package worth
// analysing; the catalog's packages plus the roots they are used through.
var sdkPackages = []string{syumaiOld, syumaiKV, cfV0, cfKV}

// byName indexes the catalog by method name, the cheapest first test.
var byName = func() map[string][]*Method {
	m := make(map[string][]*Method)
	for _, row := range catalog {
		m[row.Name] = append(m[row.Name], row)
	}
	return m
}()

// Lookup returns the catalog row for fn, or nil if fn is not a KV operation.
func Lookup(fn *types.Func) *Method {
	rows := byName[fn.Name()]
	if rows == nil || fn.Pkg() == nil {
		return nil
	}
	fn = fn.Origin()
	recvName := ""
	if sig := fn.Signature(); sig.Recv() != nil {
		t := sig.Recv().Type()
		if types.IsInterface(t) {
			return shapedRow(fn, rows)
		}
		if p, ok := t.(*types.Pointer); ok {
			t = p.Elem()
		}
		named, ok := types.Unalias(t).(*types.Named)
		if !ok {
			return nil
		}
		recvName = named.Obj().Name()
	}
	for _, row := range rows {
		if row.Recv == recvName && matchPath(row.Pkg, fn.Pkg().Path()) {
			return row
		}
	}
	return nil
}

// shaped caches shapedRow's answers: go vet and the kvlint command check
// packages in parallel.
var shaped sync.Map // *types.Func -> *Method (nil: none)

// shapedRow returns the row that fn, a method of an interface, stands
// for when that interface is a narrow view of one SDK type: each of its
// methods is one of the type's, with an identical signature, and one of
// them names a type of the SDK (GetString(key string, opts
// *kv.GetOptions)). Such an interface is meant for the SDK's namespace
// or client, which a caller passes as it is (kvGetDeleter); Delete(key
// string) error alone could be anything's.
func shapedRow(fn *types.Func, rows []*Method) *Method {
	if m, ok := shaped.Load(fn); ok {
		return m.(*Method)
	}
	var found *Method
	iface, _ := fn.Signature().Recv().Type().Underlying().(*types.Interface)
	if iface != nil {
		for _, pkg := range sdkTypesNamed(iface) {
			for _, row := range rows {
				if !matchPath(row.Pkg, pkg.Path()) {
					continue
				}
				if tn, ok := pkg.Scope().Lookup(row.Recv).(*types.TypeName); ok && viewOf(iface, types.NewPointer(tn.Type())) {
					found = row
				}
			}
		}
	}
	shaped.Store(fn, found)
	return found
}

// sdkTypesNamed returns the SDK packages whose named types iface's
// methods take or return.
func sdkTypesNamed(iface *types.Interface) []*types.Package {
	var pkgs []*types.Package
	var visit func(t types.Type)
	visit = func(t types.Type) {
		switch t := types.Unalias(t).(type) {
		case *types.Named:
			if pkg := t.Obj().Pkg(); pkg != nil && IsSDKPackage(pkg.Path()) && !slices.Contains(pkgs, pkg) {
				pkgs = append(pkgs, pkg)
			}
		case *types.Pointer:
			visit(t.Elem())
		case *types.Slice:
			visit(t.Elem())
		}
	}
	for m := range iface.Methods() {
		sig := m.Signature()
		for v := range sig.Params().Variables() {
			visit(v.Type())
		}
		for v := range sig.Results().Variables() {
			visit(v.Type())
		}
	}
	return pkgs
}

// viewOf reports whether every method of iface is a method of t with an
// identical signature.
func viewOf(iface *types.Interface, t types.Type) bool {
	for m := range iface.Methods() {
		obj, _, _ := types.LookupFieldOrMethod(t, true, m.Pkg(), m.Name())
		impl, ok := obj.(*types.Func)
		if !ok || !types.Identical(impl.Signature(), m.Signature()) {
			return false
		}
	}
	return iface.NumMethods() > 0
}

// IsSDKPackage reports whether path is one of the KV SDKs' packages.
func IsSDKPackage(path string) bool {
	for _, p := range sdkPackages {
		if matchPath(p, path) {
			return true
		}
	}
	return false
}

// isFieldHelper reports whether fn is a generated SDK's param.Field
// constructor such as cloudflare.F.
func isFieldHelper(fn *types.Func) bool {
	return fn.Pkg() != nil && fieldHelpers[fn.Name()] && fn.Signature().Recv() == nil &&
		matchPath(cfRoot, fn.Pkg().Path())
}

// FieldArg returns x of a call of a param.Field constructor,
// cloudflare.F(x), and v itself for anything else.
func FieldArg(v ssa.Value) ssa.Value {
	call, ok := v.(*ssa.Call)
	if !ok || len(call.Call.Args) != 1 {
		return v
	}
	if callee := call.Call.StaticCallee(); callee != nil {
		if fn, ok := callee.Object().(*types.Func); ok && isFieldHelper(fn) {
			return call.Call.Args[0]
		}
	}
	return v
}

// IsAPIError reports whether t, or what it points to, is the error type
// that cloudflare-go returns for every failed request, whatever the
// status: cloudflare.Error in v0, and apierror.Error (aliased as
// cloudflare.Error) from v2 on. That a value is one says the request
// failed, not that the key was missing.
func IsAPIError(t types.Type) bool {
	if p, ok := t.(*types.Pointer); ok {
		t = p.Elem()
	}
	named, ok := types.Unalias(t).(*types.Named)
	if !ok || named.Obj().Name() != "Error" || named.Obj().Pkg() == nil {
		return false
	}
	path := named.Obj().Pkg().Path()
	return path == "github.com/cloudflare/cloudflare-go" || matchPath(cfRoot+"/internal/apierror", path)
}

// matchPath matches an import path against a catalog pattern, where the
// element "vN" stands for any major version suffix v2, v3, ...
func matchPath(pattern, path string) bool {
	before, after, ok := strings.Cut(pattern, "/vN")
	if !ok {
		return pattern == path
	}
	rest, ok := strings.CutPrefix(path, before+"/v")
	if !ok {
		return false
	}
	digits := len(rest) - len(strings.TrimLeft(rest, "0123456789"))
	if digits == 0 || rest[:digits] == "0" || rest[:digits] == "1" || rest[0] == '0' {
		return false
	}
	return rest[digits:] == after
}
