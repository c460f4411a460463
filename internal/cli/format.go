package cli

import (
	"encoding/json"
	"fmt"
	"io"
	"strings"
	"text/tabwriter"
	"time"
)

// Formats of WriteCredentials.
const (
	FormatEnv     = "env"
	FormatJSON    = "json"
	FormatHcloud  = "huaweicloud-cli"
	formatsListed = FormatEnv + ", " + FormatJSON + " or " + FormatHcloud
)

// WriteCredentials prints c as format:
//
//   - env: export lines for a POSIX shell (eval "$(iic credentials …)"):
//     the Huawei Cloud SDK's environment provider's names
//     (HUAWEICLOUD_SDK_AK, _SK, _SECURITY_TOKEN, _DOMAIN_ID: the account
//     is the domain) and iic's own (IIC_ACCESS_KEY, IIC_SECRET_KEY,
//     IIC_SECURITY_TOKEN), which iic commands and the examples sign with;
//   - json: one object with access_key, secret_key, security_token,
//     account_id and expiration (RFC 3339), the shape of the credentials
//     file --creds reads;
//   - huaweicloud-cli: the KooCLI (hcloud) command that stores them as the
//     profile named profile (temporary AK/SK mode: cli-security-token set).
func WriteCredentials(w io.Writer, c Credentials, format, profile string) error {
	switch format {
	case FormatEnv, "":
		for _, kv := range [][2]string{
			{"HUAWEICLOUD_SDK_AK", c.AccessKey}, {"HUAWEICLOUD_SDK_SK", c.SecretKey},
			{"HUAWEICLOUD_SDK_SECURITY_TOKEN", c.SecurityToken}, {"HUAWEICLOUD_SDK_DOMAIN_ID", c.AccountID},
			{"IIC_ACCESS_KEY", c.AccessKey}, {"IIC_SECRET_KEY", c.SecretKey}, {"IIC_SECURITY_TOKEN", c.SecurityToken},
		} {
			fmt.Fprintf(w, "export %s=%s\n", kv[0], shellQuote(kv[1]))
		}
		fmt.Fprintf(w, "# expires %s\n", c.Expiration.UTC().Format(time.RFC3339))
		return nil
	case FormatJSON:
		enc := json.NewEncoder(w)
		enc.SetIndent("", "  ")
		return enc.Encode(c)
	case FormatHcloud:
		_, err := fmt.Fprintf(w, "hcloud configure set --cli-profile=%s --cli-mode=AKSK --cli-access-key=%s --cli-secret-key=%s --cli-security-token=%s --cli-domain-id=%s\n",
			shellQuote(profile), shellQuote(c.AccessKey), shellQuote(c.SecretKey), shellQuote(c.SecurityToken), shellQuote(c.AccountID))
		return err
	}
	return fmt.Errorf("--format %q: want %s", format, formatsListed)
}

// shellQuote quotes s for a POSIX shell when it holds anything but
// letters, digits and -_.:/+=@.
func shellQuote(s string) string {
	if s != "" && strings.Trim(s, "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789-_.:/+=@") == "" {
		return s
	}
	return "'" + strings.ReplaceAll(s, "'", `'\''`) + "'"
}

// WriteAssignments prints the accounts and their permission sets as a
// table.
func WriteAssignments(w io.Writer, as []Assignment) error {
	tw := tabwriter.NewWriter(w, 0, 4, 2, ' ', 0)
	fmt.Fprintln(tw, "ACCOUNT ID\tACCOUNT NAME\tE-MAIL\tPERMISSION SETS")
	for _, a := range as {
		ps := make([]string, len(a.Agencies))
		for i, ag := range a.Agencies {
			ps[i] = ag.PermissionSetName
		}
		fmt.Fprintf(tw, "%s\t%s\t%s\t%s\n", a.Account.ID, a.Account.Name, a.Account.Email, orNone(ps))
	}
	if len(as) == 0 {
		fmt.Fprintln(tw, "(no account is assigned to you)\t\t\t")
	}
	return tw.Flush()
}
