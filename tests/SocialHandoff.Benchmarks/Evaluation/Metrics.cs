namespace SocialHandoff.Benchmarks.Evaluation;

internal static class Metrics
{
    public static double Pearson(IReadOnlyList<double> x, IReadOnlyList<double> y)
    {
        var n = x.Count;
        double mx = x.Average(), my = y.Average(), sxy = 0, sxx = 0, syy = 0;
        for (var i = 0; i < n; i++)
        {
            sxy += (x[i] - mx) * (y[i] - my);
            sxx += (x[i] - mx) * (x[i] - mx);
            syy += (y[i] - my) * (y[i] - my);
        }

        return sxy / Math.Sqrt(sxx * syy);
    }

    /// <summary>Area under the ROC curve: the chance a random positive scores above a random negative (ties count half).</summary>
    public static double Auc(IReadOnlyList<double> scores, IReadOnlyList<bool> positive)
    {
        var order = Enumerable.Range(0, scores.Count).OrderBy(i => scores[i]).ToArray();
        var ranks = new double[scores.Count];
        for (var i = 0; i < order.Length;)
        {
            var j = i;
            while (j + 1 < order.Length && scores[order[j + 1]] == scores[order[i]])
            {
                j++;
            }

            var rank = (i + j) / 2.0 + 1;
            for (var k = i; k <= j; k++)
            {
                ranks[order[k]] = rank;
            }

            i = j + 1;
        }

        double positives = positive.Count(p => p), negatives = positive.Count - positives, rankSum = 0;
        for (var i = 0; i < ranks.Length; i++)
        {
            if (positive[i])
            {
                rankSum += ranks[i];
            }
        }

        return (rankSum - positives * (positives + 1) / 2) / (positives * negatives);
    }

    public static double F1(IReadOnlyList<bool> predicted, IReadOnlyList<bool> actual)
    {
        double tp = 0, fp = 0, fn = 0;
        for (var i = 0; i < predicted.Count; i++)
        {
            tp += predicted[i] && actual[i] ? 1 : 0;
            fp += predicted[i] && !actual[i] ? 1 : 0;
            fn += !predicted[i] && actual[i] ? 1 : 0;
        }

        return tp == 0 ? 0 : 2 * tp / (2 * tp + fp + fn);
    }

    /// <summary>Accuracy, macro-F1 and weighted-F1 of integer class labels.</summary>
    public static (double Accuracy, double MacroF1, double WeightedF1) Classes(IReadOnlyList<int> predicted, IReadOnlyList<int> actual)
    {
        var classes = actual.Concat(predicted).Distinct().ToArray();
        double correct = 0, macro = 0, weighted = 0;
        for (var i = 0; i < actual.Count; i++)
        {
            correct += predicted[i] == actual[i] ? 1 : 0;
        }

        foreach (var c in classes)
        {
            var f1 = F1(predicted.Select(p => p == c).ToArray(), actual.Select(a => a == c).ToArray());
            macro += f1;
            weighted += f1 * actual.Count(a => a == c);
        }

        return (correct / actual.Count, macro / classes.Length, weighted / actual.Count);
    }
}
