package config

import (
	"context"
	"fmt"
	"strings"

	"github.com/aws/aws-sdk-go-v2/aws"
	awsconfig "github.com/aws/aws-sdk-go-v2/config"
	"github.com/aws/aws-sdk-go-v2/credentials"
	"github.com/aws/aws-sdk-go-v2/service/ssm"
)

// SSM reads parameters from AWS SSM Parameter Store.
type SSM struct {
	client ssm.GetParametersByPathAPIClient
}

// NewSSM builds an SSM source from the AWS SDK's standard configuration
// (shared files, instance role, region, AWS_ENDPOINT_URL_SSM and the rest).
// The standard variables are read through lookup so that they follow the
// same environment as the rest of the configuration.
func NewSSM(ctx context.Context, lookup func(string) (string, bool)) (*SSM, error) {
	var opts []func(*awsconfig.LoadOptions) error
	if region := firstSet(lookup, "AWS_REGION", "AWS_DEFAULT_REGION"); region != "" {
		opts = append(opts, awsconfig.WithRegion(region))
	}
	endpoint := firstSet(lookup, "AWS_ENDPOINT_URL_SSM", "AWS_ENDPOINT_URL")
	key, secret := firstSet(lookup, "AWS_ACCESS_KEY_ID"), firstSet(lookup, "AWS_SECRET_ACCESS_KEY")
	switch {
	case key != "" && secret != "":
		opts = append(opts, awsconfig.WithCredentialsProvider(
			credentials.NewStaticCredentialsProvider(key, secret, firstSet(lookup, "AWS_SESSION_TOKEN"))))
	case endpoint != "" && firstSet(lookup, credentialSources...) == "":
		// A local stand-in of SSM with no credentials configured: send the
		// requests unsigned rather than probing for an instance role.
		opts = append(opts, awsconfig.WithCredentialsProvider(aws.AnonymousCredentials{}))
	}
	awsCfg, err := awsconfig.LoadDefaultConfig(ctx, opts...)
	if err != nil {
		return nil, fmt.Errorf("load AWS configuration: %w", err)
	}
	if awsCfg.Region == "" {
		awsCfg.Region = defaultRegion
	}
	client := ssm.NewFromConfig(awsCfg, func(o *ssm.Options) {
		if endpoint != "" {
			o.BaseEndpoint = aws.String(endpoint)
		}
	})
	return &SSM{client: client}, nil
}

// defaultRegion is used when neither the environment nor the shared AWS
// configuration names one.
const defaultRegion = "us-east-1"

// credentialSources are the standard variables that point the SDK at
// credentials other than static keys.
var credentialSources = []string{
	"AWS_PROFILE", "AWS_WEB_IDENTITY_TOKEN_FILE",
	"AWS_CONTAINER_CREDENTIALS_FULL_URI", "AWS_CONTAINER_CREDENTIALS_RELATIVE_URI",
}

func firstSet(lookup func(string) (string, bool), names ...string) string {
	for _, name := range names {
		if v, ok := lookup(name); ok && v != "" {
			return v
		}
	}
	return ""
}

// NewSSMFromClient wraps an existing SSM client.
func NewSSMFromClient(client ssm.GetParametersByPathAPIClient) *SSM {
	return &SSM{client: client}
}

// Parameters reads every parameter under prefix, recursively and
// decrypted, across all pages. A parameter's variable name is its path
// below the prefix, upper-cased, with "/" and "-" turned into "_":
// /analytics-bot/OPENAI_API_KEY and /analytics-bot/openai/api-key both
// stand for OPENAI_API_KEY.
func (s *SSM) Parameters(ctx context.Context, prefix string) (map[string]string, error) {
	path := "/" + strings.Trim(prefix, "/")
	paginator := ssm.NewGetParametersByPathPaginator(s.client, &ssm.GetParametersByPathInput{
		Path:           aws.String(path),
		Recursive:      aws.Bool(true),
		WithDecryption: aws.Bool(true),
	})
	out := make(map[string]string)
	for paginator.HasMorePages() {
		page, err := paginator.NextPage(ctx)
		if err != nil {
			return nil, fmt.Errorf("get parameters by path %s: %w", path, err)
		}
		for _, p := range page.Parameters {
			name := strings.TrimPrefix(aws.ToString(p.Name), path+"/")
			out[variableName(name)] = aws.ToString(p.Value)
		}
	}
	return out, nil
}

func variableName(path string) string {
	return strings.ToUpper(strings.NewReplacer("/", "_", "-", "_", ".", "_").Replace(strings.Trim(path, "/")))
}
