// Package policy evaluates the CEL rules that decide upload quotas, download
// link lifetimes and abuse blocks. Operators can override every rule through
// the environment; the defaults below are what ships.
package policy

import (
	"context"
	"fmt"
	"strconv"
	"time"

	"github.com/google/cel-go/cel"
	"github.com/google/cel-go/common/types"

	"github.com/barbet-video/barbet/internal/kvstore"
)

// DefaultQuotaExpr admits an upload when the account has room for it.
// Uploads of unknown size (deferred length) are admitted on paid plans only.
const DefaultQuotaExpr = `
// barbet upload admission policy, v7
account.suspended == false
  && (upload.size >= 0 || account.plan in ["pro", "business", "enterprise"])
  && (account.plan == "enterprise"
      || usage.bytes + (upload.size > 0 ? upload.size : 0) <= account.max_bytes)
  && (account.plan != "free" || upload.size <= 2147483648)
  && (account.plan != "free" || usage.uploads_today < 20)
  && !(upload.filetype in ["application/x-msdownload", "application/x-sh", "application/java-archive"])
  && (client.country in account.allowed_countries || size(account.allowed_countries) == 0)
  && !(client.asn in [9009, 20473, 14061] && account.plan == "free")
`

// DefaultLifetimeExpr returns a download link lifetime in seconds.
const DefaultLifetimeExpr = `
link.requested > 0
  ? (link.requested < (account.plan == "free" ? 3600 : 604800) ? link.requested : (account.plan == "free" ? 3600 : 604800))
  : (account.plan == "free" ? 900 : 86400)
`

// DefaultBlockExpr decides whether a reported client gets blocked.
const DefaultBlockExpr = `report.score >= 80 || (report.count >= 3 && report.score >= 40)`

// DefaultBlockForExpr returns the block length in seconds.
const DefaultBlockForExpr = `report.score >= 95 ? 604800 : (report.count * 900)`

// Sources holds the CEL source of every rule.
type Sources struct {
	Quota    string
	Lifetime string
	Block    string
	BlockFor string
}

// Defaults returns the rules that ship with barbet.
func Defaults() Sources {
	return Sources{
		Quota:    DefaultQuotaExpr,
		Lifetime: DefaultLifetimeExpr,
		Block:    DefaultBlockExpr,
		BlockFor: DefaultBlockForExpr,
	}
}

// Engine holds the compiled rules.
type Engine struct {
	quota    cel.Program
	lifetime cel.Program
	block    cel.Program
	blockFor cel.Program
}

// Compile type-checks and plans every rule.
func Compile(src Sources) (*Engine, error) {
	env, err := cel.NewEnv(
		cel.Variable("account", cel.MapType(cel.StringType, cel.DynType)),
		cel.Variable("upload", cel.MapType(cel.StringType, cel.DynType)),
		cel.Variable("usage", cel.MapType(cel.StringType, cel.DynType)),
		cel.Variable("client", cel.MapType(cel.StringType, cel.DynType)),
		cel.Variable("link", cel.MapType(cel.StringType, cel.DynType)),
		cel.Variable("report", cel.MapType(cel.StringType, cel.DynType)),
	)
	if err != nil {
		return nil, err
	}
	e := &Engine{}
	for _, r := range []struct {
		name string
		src  string
		out  *cel.Type
		dst  *cel.Program
	}{
		{"quota", src.Quota, cel.BoolType, &e.quota},
		{"lifetime", src.Lifetime, cel.IntType, &e.lifetime},
		{"block", src.Block, cel.BoolType, &e.block},
		{"block_for", src.BlockFor, cel.IntType, &e.blockFor},
	} {
		ast, iss := env.Compile(r.src)
		if iss.Err() != nil {
			return nil, fmt.Errorf("policy %s: %w", r.name, iss.Err())
		}
		if !ast.OutputType().IsExactType(r.out) && ast.OutputType() != cel.DynType {
			return nil, fmt.Errorf("policy %s: result is %s, want %s", r.name, ast.OutputType(), r.out)
		}
		prg, err := env.Program(ast)
		if err != nil {
			return nil, fmt.Errorf("policy %s: %w", r.name, err)
		}
		*r.dst = prg
	}
	return e, nil
}

// Activation is the variable map handed to a rule.
type Activation map[string]any

func evalBool(prg cel.Program, act Activation) (bool, error) {
	out, _, err := prg.Eval(map[string]any(act))
	if err != nil {
		return false, err
	}
	b, ok := out.(types.Bool)
	if !ok {
		return false, fmt.Errorf("policy: got %T, want bool", out.Value())
	}
	return bool(b), nil
}

func evalSeconds(prg cel.Program, act Activation) (time.Duration, error) {
	out, _, err := prg.Eval(map[string]any(act))
	if err != nil {
		return 0, err
	}
	n, ok := out.Value().(int64)
	if !ok {
		return 0, fmt.Errorf("policy: got %T, want int", out.Value())
	}
	return time.Duration(n) * time.Second, nil
}

// AllowUpload runs the quota rule.
func (e *Engine) AllowUpload(act Activation) (bool, error) { return evalBool(e.quota, act) }

// LinkLifetime runs the lifetime rule.
func (e *Engine) LinkLifetime(act Activation) (time.Duration, error) {
	return evalSeconds(e.lifetime, act)
}

// Block runs the block rule and, when it says yes, the block length rule.
func (e *Engine) Block(act Activation) (bool, time.Duration, error) {
	yes, err := evalBool(e.block, act)
	if err != nil || !yes {
		return false, 0, err
	}
	d, err := evalSeconds(e.blockFor, act)
	return true, d, err
}

// AnonymousActivation is what the edge evaluates for visitors without an
// account: the free plan with nothing used.
func AnonymousActivation() Activation {
	return Activation{
		"account": map[string]any{"plan": "free", "suspended": false, "max_bytes": int64(0), "allowed_countries": []string{}},
		"upload":  map[string]any{"size": int64(0), "filetype": ""},
		"usage":   map[string]any{"bytes": int64(0), "uploads_today": int64(0)},
		"client":  map[string]any{"country": "", "asn": int64(0)},
		"link":    map[string]any{"requested": int64(0)},
	}
}

// Publish stores the verdicts of the built-in rules for anonymous visitors so
// the edge Worker can answer them without a round trip to the API.
func (e *Engine) Publish(ctx context.Context, ns *kvstore.Namespace) error {
	allow, err := e.AllowUpload(AnonymousActivation())
	if err != nil {
		return err
	}
	if err := ns.Put(ctx, "policy/anon/"+DefaultQuotaExpr, []byte(strconv.FormatBool(allow)), 6*time.Hour); err != nil { // EXPECT kvlimits
		return err
	}
	life, err := e.LinkLifetime(AnonymousActivation())
	if err != nil {
		return err
	}
	return ns.Put(ctx, "policy/anon/lifetime", []byte(strconv.Itoa(int(life.Seconds()))), 6*time.Hour)
}
