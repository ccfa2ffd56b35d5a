package llm.training;

import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

import llm.formats.AtomicFile;
import org.knowm.xchart.BitmapEncoder;
import org.knowm.xchart.XYChart;
import org.knowm.xchart.XYChartBuilder;
import org.knowm.xchart.XYSeries;
import org.knowm.xchart.style.markers.SeriesMarkers;

/**
 * The figure of Book §5.2 (figure 5.12): training and validation loss against tokens seen, drawn with XChart
 * and written as a PNG (atomically, like every file the training writes).
 */
public final class LossPlot {
    private LossPlot() {}

    /** Draws {@code history} into {@code png}; does nothing when there is nothing to draw. */
    public static void write(Path png, List<Trainer.Evaluation> history, String title) throws IOException {
        List<Double> tokens = new ArrayList<>(), train = new ArrayList<>(), valTokens = new ArrayList<>(), val = new ArrayList<>();
        for (Trainer.Evaluation e : history) {
            if (!Double.isNaN(e.trainLoss())) {
                tokens.add((double) e.tokensSeen());
                train.add(e.trainLoss());
            }
            if (!Double.isNaN(e.valLoss())) {
                valTokens.add((double) e.tokensSeen());
                val.add(e.valLoss());
            }
        }
        if (tokens.isEmpty() && valTokens.isEmpty()) return;
        System.setProperty("java.awt.headless", "true");
        XYChart chart = new XYChartBuilder().width(800).height(500).title(title).xAxisTitle("Tokens seen").yAxisTitle("Loss").build();
        chart.getStyler().setLegendPosition(org.knowm.xchart.style.Styler.LegendPosition.InsideNE);
        chart.getStyler().setMarkerSize(4);
        if (!tokens.isEmpty()) chart.addSeries("Training loss", tokens, train).setMarker(SeriesMarkers.NONE);
        if (!valTokens.isEmpty()) {
            XYSeries s = chart.addSeries("Validation loss", valTokens, val);
            s.setMarker(SeriesMarkers.NONE);
            s.setLineStyle(new java.awt.BasicStroke(2f, java.awt.BasicStroke.CAP_BUTT, java.awt.BasicStroke.JOIN_MITER, 10f, new float[] {6f, 4f}, 0f));
        }
        byte[] image = BitmapEncoder.getBitmapBytes(chart, BitmapEncoder.BitmapFormat.PNG);
        AtomicFile.write(png, image);
    }
}
