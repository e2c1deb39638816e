package fake_test

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/credentials"
	"github.com/aws/aws-sdk-go-v2/service/ssm"
	"github.com/aws/aws-sdk-go-v2/service/ssm/types"

	"github.com/analytics-bot/analytics-bot/fake"
)

func setupSSM(t *testing.T) (*fake.SSM, *ssm.Client) {
	t.Helper()
	s := fake.NewSSM(t)
	client := ssm.New(ssm.Options{
		Region:       "us-east-1",
		Credentials:  credentials.NewStaticCredentialsProvider("AKIDTEST", "secret", ""),
		BaseEndpoint: aws.String(s.URL),
	})
	return s, client
}

func TestSSMGetParametersByPathPages(t *testing.T) {
	t.Parallel()
	s, client := setupSSM(t)
	for i := range 23 {
		s.Put(fmt.Sprintf("/analytics-bot/P%02d", i), fmt.Sprint(i), false)
	}
	s.Put("/analytics-bot/OPENAI_API_KEY", "sk-secret", true)
	s.Put("/analytics-bot/nested/DEEP", "deep", false)
	s.Put("/other/X", "x", false)

	var got []types.Parameter
	pages := 0
	p := ssm.NewGetParametersByPathPaginator(client, &ssm.GetParametersByPathInput{
		Path: aws.String("/analytics-bot"), WithDecryption: aws.Bool(true),
	})
	for p.HasMorePages() {
		page, err := p.NextPage(context.Background())
		if err != nil {
			t.Fatalf("page %d: %v", pages, err)
		}
		pages++
		got = append(got, page.Parameters...)
	}
	if pages != 3 || len(got) != 24 {
		t.Fatalf("pages = %d, parameters = %d; want 3 pages of direct children (24)", pages, len(got))
	}
	values := map[string]string{}
	for _, prm := range got {
		values[aws.ToString(prm.Name)] = aws.ToString(prm.Value)
	}
	if values["/analytics-bot/OPENAI_API_KEY"] != "sk-secret" {
		t.Errorf("decrypted secret = %q", values["/analytics-bot/OPENAI_API_KEY"])
	}
	if _, ok := values["/analytics-bot/nested/DEEP"]; ok {
		t.Error("non-recursive listing returned a nested parameter")
	}

	reqs := s.Requests()
	if len(reqs) != 3 || reqs[0].Target != "AmazonSSM.GetParametersByPath" || !strings.HasPrefix(reqs[0].Header.Get("Authorization"), "AWS4-HMAC-SHA256") {
		t.Errorf("requests = %d, first %q %q", len(reqs), reqs[0].Target, reqs[0].Header.Get("Authorization"))
	}
}

func TestSSMRecursiveMaxResultsAndEncryption(t *testing.T) {
	t.Parallel()
	s, client := setupSSM(t)
	s.Put("/app/a", "1", false)
	s.Put("/app/b/c", "2", false)
	s.Put("/app/secret", "hunter2", true)

	out, err := client.GetParametersByPath(context.Background(), &ssm.GetParametersByPathInput{
		Path: aws.String("/app/"), Recursive: aws.Bool(true), MaxResults: aws.Int32(2),
	})
	if err != nil {
		t.Fatalf("get by path: %v", err)
	}
	if len(out.Parameters) != 2 || out.NextToken == nil {
		t.Fatalf("first page = %d parameters, token %v", len(out.Parameters), out.NextToken)
	}
	out, err = client.GetParametersByPath(context.Background(), &ssm.GetParametersByPathInput{
		Path: aws.String("/app/"), Recursive: aws.Bool(true), MaxResults: aws.Int32(2), NextToken: out.NextToken,
	})
	if err != nil {
		t.Fatalf("second page: %v", err)
	}
	if len(out.Parameters) != 1 || out.NextToken != nil {
		t.Fatalf("second page = %+v", out)
	}
	secret := out.Parameters[0]
	if aws.ToString(secret.Name) != "/app/secret" || secret.Type != types.ParameterTypeSecureString || aws.ToString(secret.Value) != fake.SSMEncryptedValue {
		t.Errorf("undecrypted secret = %s %s %q", aws.ToString(secret.Name), secret.Type, aws.ToString(secret.Value))
	}
}

func TestSSMGetParameterAndParameters(t *testing.T) {
	t.Parallel()
	s, client := setupSSM(t)
	ctx := context.Background()
	s.Put("/app/PORT", "8000", false)
	s.Put("/app/PORT", "9000", false)

	one, err := client.GetParameter(ctx, &ssm.GetParameterInput{Name: aws.String("/app/PORT")})
	if err != nil {
		t.Fatalf("get parameter: %v", err)
	}
	if aws.ToString(one.Parameter.Value) != "9000" || one.Parameter.Version != 2 || one.Parameter.LastModifiedDate == nil {
		t.Errorf("parameter = %+v", one.Parameter)
	}

	_, err = client.GetParameter(ctx, &ssm.GetParameterInput{Name: aws.String("/app/NOPE")})
	var notFound *types.ParameterNotFound
	if !errors.As(err, &notFound) {
		t.Errorf("err = %v, want ParameterNotFound", err)
	}

	many, err := client.GetParameters(ctx, &ssm.GetParametersInput{Names: []string{"/app/PORT", "/app/NOPE"}})
	if err != nil {
		t.Fatalf("get parameters: %v", err)
	}
	if len(many.Parameters) != 1 || len(many.InvalidParameters) != 1 || many.InvalidParameters[0] != "/app/NOPE" {
		t.Errorf("get parameters = %+v", many)
	}
}

func TestSSMUnknownTarget(t *testing.T) {
	t.Parallel()
	s := fake.NewSSM(t)

	req, err := http.NewRequest(http.MethodPost, s.URL, strings.NewReader(`{}`))
	if err != nil {
		t.Fatal(err)
	}
	req.Header.Set("X-Amz-Target", "AmazonSSM.PutParameter")
	req.Header.Set("Content-Type", "application/x-amz-json-1.1")
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusBadRequest || resp.Header.Get("X-Amzn-ErrorType") != "InvalidAction" {
		t.Errorf("answer = %d %q", resp.StatusCode, resp.Header.Get("X-Amzn-ErrorType"))
	}
}
