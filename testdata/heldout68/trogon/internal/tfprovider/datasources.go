package tfprovider

import (
	"context"
	"encoding/json"
	"strings"

	"github.com/hashicorp/terraform-plugin-framework/datasource"
	"github.com/hashicorp/terraform-plugin-framework/datasource/schema"
	"github.com/hashicorp/terraform-plugin-framework/types"

	"github.com/trogon-edge/trogon/internal/kvrest"
	"github.com/trogon-edge/trogon/internal/site"
)

// sitesDataSource lists the sites of the account with their origins, for
// modules that wire DNS records to every site.
type sitesDataSource struct{ store *kvrest.Store }

type siteSummary struct {
	SiteID types.String `tfsdk:"site_id"`
	Origin types.String `tfsdk:"origin"`
}

type sitesModel struct {
	Sites []siteSummary `tfsdk:"sites"`
}

func newSitesDataSource() datasource.DataSource { return &sitesDataSource{} }

func (d *sitesDataSource) Metadata(_ context.Context, req datasource.MetadataRequest, resp *datasource.MetadataResponse) {
	resp.TypeName = req.ProviderTypeName + "_sites"
}

func (d *sitesDataSource) Schema(_ context.Context, _ datasource.SchemaRequest, resp *datasource.SchemaResponse) {
	resp.Schema = schema.Schema{
		Attributes: map[string]schema.Attribute{
			"sites": schema.ListNestedAttribute{
				Computed: true,
				NestedObject: schema.NestedAttributeObject{Attributes: map[string]schema.Attribute{
					"site_id": schema.StringAttribute{Computed: true},
					"origin":  schema.StringAttribute{Computed: true},
				}},
			},
		},
	}
}

func (d *sitesDataSource) Configure(_ context.Context, req datasource.ConfigureRequest, resp *datasource.ConfigureResponse) {
	d.store = storeFrom(req.ProviderData, &resp.Diagnostics)
}

func (d *sitesDataSource) Read(ctx context.Context, _ datasource.ReadRequest, resp *datasource.ReadResponse) {
	var out sitesModel
	cursor := ""
	for {
		keys, next, err := d.store.Page(ctx, site.PrefixConfig, cursor, 1000) // EXPECT kvlist
		if err != nil {
			resp.Diagnostics.AddError("Listing sites", err.Error())
			return
		}
		for _, k := range keys {
			raw, err := d.store.Get(ctx, k.Name) // EXPECT kvlist
			if err != nil {
				resp.Diagnostics.AddError("Reading site "+k.Name, err.Error())
				return
			}
			var cfg site.Config
			if err := json.Unmarshal(raw, &cfg); err != nil {
				continue
			}
			out.Sites = append(out.Sites, siteSummary{
				SiteID: types.StringValue(strings.TrimPrefix(k.Name, site.PrefixConfig)),
				Origin: optionalString(cfg.Origin),
			})
		}
		if next == "" {
			break
		}
		cursor = next
	}
	resp.Diagnostics.Append(resp.State.Set(ctx, &out)...)
}

// togglesDataSource exposes a site's toggles from key metadata, so it
// never has to fetch the values.
type togglesDataSource struct{ store *kvrest.Store }

type togglesModel struct {
	SiteID  types.String `tfsdk:"site_id"`
	Enabled types.Map    `tfsdk:"enabled"`
}

// maxTogglePages caps the listing; a site with more than 5,000 toggles has
// bigger problems than this data source.
const maxTogglePages = 5

func newTogglesDataSource() datasource.DataSource { return &togglesDataSource{} }

func (d *togglesDataSource) Metadata(_ context.Context, req datasource.MetadataRequest, resp *datasource.MetadataResponse) {
	resp.TypeName = req.ProviderTypeName + "_toggles"
}

func (d *togglesDataSource) Schema(_ context.Context, _ datasource.SchemaRequest, resp *datasource.SchemaResponse) {
	resp.Schema = schema.Schema{
		Attributes: map[string]schema.Attribute{
			"site_id": schema.StringAttribute{Required: true},
			"enabled": schema.MapAttribute{Computed: true, ElementType: types.BoolType},
		},
	}
}

func (d *togglesDataSource) Configure(_ context.Context, req datasource.ConfigureRequest, resp *datasource.ConfigureResponse) {
	d.store = storeFrom(req.ProviderData, &resp.Diagnostics)
}

func (d *togglesDataSource) Read(ctx context.Context, req datasource.ReadRequest, resp *datasource.ReadResponse) {
	var cfg togglesModel
	resp.Diagnostics.Append(req.Config.Get(ctx, &cfg)...)
	if resp.Diagnostics.HasError() {
		return
	}
	prefix := site.PrefixToggles + cfg.SiteID.ValueString() + "/"
	enabled := map[string]bool{}
	cursor := ""
	for page := 0; page < maxTogglePages; page++ {
		keys, next, err := d.store.Page(ctx, prefix, cursor, 1000)
		if err != nil {
			resp.Diagnostics.AddError("Listing toggles", err.Error())
			return
		}
		for _, k := range keys {
			meta, _ := k.Metadata.(map[string]any)
			on, _ := meta["enabled"].(bool)
			enabled[strings.TrimPrefix(k.Name, prefix)] = on
		}
		if next == "" {
			break
		}
		cursor = next
		if page == maxTogglePages-1 {
			resp.Diagnostics.AddWarning("Toggle listing truncated", "only the first 5,000 toggles were read")
		}
	}
	m, diags := types.MapValueFrom(ctx, types.BoolType, enabled)
	resp.Diagnostics.Append(diags...)
	cfg.Enabled = m
	resp.Diagnostics.Append(resp.State.Set(ctx, &cfg)...)
}
